import { ENDPOINT_TAG, type WorkerState, workerIdOf } from "@cml-telemetry/contracts";
import type { RouteHandler } from "@hono/zod-openapi";
import type { Logger } from "pino";
import type { AppEnv } from "../../app/create-router.ts";
import { preparedJsonText } from "../../app/prepared-response.ts";
import type { CommandPublisher, EventFeed, WorkerReadModel } from "../../ports.ts";
import { ProblemError } from "../../problems.ts";
import { decodeCursor, encodeCursor } from "../../workers/cursor.ts";
import {
  RefreshClaimError,
  type RefreshCoordinator,
  RefreshTooSoonError,
} from "../../workers/refresh-coordinator.ts";
import { requireWorker } from "../../workers/require-worker.ts";
import { canConnect, isIdle } from "../../workers/worker-rules.ts";
import { toWorkerView, type WorkerView, type WorkerViewContext } from "../../workers/worker-view.ts";
import { createWorkerViewCache } from "../../workers/worker-view-cache.ts";
import type {
  getWorkerRoute,
  listWorkersRoute,
  refreshWorkerRoute,
  registerWorkerRoute,
  workerEventsRoute,
} from "./workers.routes.ts";

/** What the workers handlers need. */
export interface WorkersDeps {
  readModel: WorkerReadModel;
  commands: CommandPublisher;
  feed: EventFeed;
  refreshes: RefreshCoordinator;
  logger: Logger;
  now: () => Date;
  /** The idle policy (its threshold is `is_idle`'s) and the prices the worker view shows. */
  view: WorkerViewContext;
  refreshWaitMaxSeconds: number;
  registerWaitMs: number;
}

function unavailable(what: string, error: unknown): ProblemError {
  return new ProblemError(
    "service-unavailable",
    `${what}: ${(error as Error).message}`,
    {},
    { cause: error },
  );
}

/** Handlers of the workers resource. */
export function createWorkersHandlers(deps: WorkersDeps) {
  const { readModel, now, view } = deps;
  const idleThresholdMinutes = view.idlePolicy.thresholdMinutes;
  const views = createWorkerViewCache(view);

  const list: RouteHandler<typeof listWorkersRoute, AppEnv> = (c) => {
    const query = c.req.valid("query");
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, "after", "string");
    const at = now();
    const idle = query.idle === undefined ? undefined : query.idle === "true";
    const connectable = query.can_connect === undefined ? undefined : query.can_connect === "true";
    const items: string[] = [];
    let lastId = "";
    let nextCursor: string | null = null;
    for (const worker of readModel.iterateFrom(after)) {
      if (query.status !== undefined && worker.status !== query.status) continue;
      if (query.region !== undefined && worker.region !== query.region) continue;
      if (query.service_status !== undefined && worker.serviceStatus !== query.service_status) continue;
      if (idle !== undefined && isIdle(worker, at, idleThresholdMinutes) !== idle) continue;
      if (connectable !== undefined && canConnect(worker) !== connectable) continue;
      if (items.length === query.limit) {
        nextCursor = encodeCursor({ after: lastId });
        break;
      }
      items.push(views.json(worker, at));
      lastId = worker.id;
    }
    return preparedJsonText<{ items: WorkerView[]; next_cursor: string | null }, 200>(
      c,
      `{"items":[${items.join(",")}],"next_cursor":${JSON.stringify(nextCursor)}}`,
      200,
    );
  };

  const get: RouteHandler<typeof getWorkerRoute, AppEnv> = (c) => {
    const { id } = c.req.valid("param");
    return preparedJsonText<WorkerView, 200>(c, views.json(requireWorker(readModel, id), now()), 200);
  };

  /** Refuses what the aggregate would not apply to a known worker, so the operator learns why. */
  function checkReregistration(existing: WorkerState, endpoint: string | undefined): void {
    if (existing.status === "TERMINATED" || existing.terminatedAt !== null) {
      throw new ProblemError(
        "conflict",
        `worker ${existing.id} is terminated; it cannot be registered again`,
      );
    }
    const tagged = existing.tags[ENDPOINT_TAG];
    if (endpoint !== undefined && tagged !== undefined && tagged !== "" && endpoint !== tagged) {
      throw new ProblemError(
        "conflict",
        `the ${ENDPOINT_TAG} tag of instance ${existing.instanceId} pins the endpoint ${tagged}; change the tag instead`,
        { param: "https_endpoint" },
      );
    }
  }

  const register: RouteHandler<typeof registerWorkerRoute, AppEnv> = async (c) => {
    const body = c.req.valid("json");
    const id = workerIdOf(body.region, body.instance_id);
    const requestId = c.get("requestId");
    const existing = readModel.get(id);
    if (existing) checkReregistration(existing, body.https_endpoint);
    const changes =
      existing === undefined ||
      (body.name !== undefined && body.name !== existing.name) ||
      (body.https_endpoint !== undefined &&
        (body.https_endpoint !== existing.httpsEndpoint || !existing.endpointPinned));
    let visible = existing;
    if (changes) {
      try {
        await deps.commands.register(
          {
            workerId: id,
            region: body.region,
            instanceId: body.instance_id,
            ...(body.name === undefined ? {} : { name: body.name }),
            ...(body.https_endpoint === undefined ? {} : { httpsEndpoint: body.https_endpoint }),
            requestedBy: c.get("principal").name,
          },
          requestId,
        );
      } catch (error) {
        throw unavailable("could not publish the register command", error);
      }
      deps.logger.info(
        { workerId: id, correlationId: requestId, known: existing !== undefined },
        "worker registration requested",
      );
      const after = existing?.version ?? -1;
      visible =
        (await readModel.waitFor(id, (state) => state.version > after, deps.registerWaitMs)) ?? existing;
    }
    c.header("Location", `/api/v1/workers/${id}`);
    return c.json(
      {
        id,
        request_id: requestId,
        worker: visible ? toWorkerView(visible, now(), view) : null,
      },
      existing === undefined ? 201 : 200,
    );
  };

  const refresh: RouteHandler<typeof refreshWorkerRoute, AppEnv> = async (c) => {
    const { id } = c.req.valid("param");
    const { wait } = c.req.valid("query");
    if (wait !== undefined && wait > deps.refreshWaitMaxSeconds) {
      throw new ProblemError(
        "validation-error",
        `wait: must be at most ${deps.refreshWaitMaxSeconds} seconds`,
        {
          param: "wait",
        },
      );
    }
    const worker = requireWorker(readModel, id);
    let handle: Awaited<ReturnType<RefreshCoordinator["start"]>>;
    try {
      handle = await deps.refreshes.start(worker, c.get("requestId"));
    } catch (error) {
      if (error instanceof RefreshTooSoonError || error instanceof RefreshClaimError) {
        const retryAfter = error instanceof RefreshTooSoonError ? error.retryAfterSeconds : 1;
        throw new ProblemError("rate-limited", error.message, {
          headers: { "Retry-After": String(retryAfter) },
        });
      }
      throw unavailable("could not start the refresh", error);
    }
    const accepted = { request_id: handle.requestId, sources: [...handle.sources] };
    // The refresh's correlation id: this request's id, unless it joined one another request started.
    c.header("X-Correlation-Id", handle.requestId);
    if (wait === undefined || wait === 0) return c.json(accepted, 202);
    const deadline = Date.now() + wait * 1000;
    const result = await handle.completion(wait * 1000);
    if (result === undefined) return c.json(accepted, 202);
    const caughtUp = await readModel.waitFor(
      id,
      (state) => state.version >= result.version,
      Math.max(0, deadline - Date.now()),
    );
    if (!caughtUp) return c.json(accepted, 202);
    return c.json(toWorkerView(caughtUp, now(), view), 200);
  };

  const events: RouteHandler<typeof workerEventsRoute, AppEnv> = async (c) => {
    const { id } = c.req.valid("param");
    const query = c.req.valid("query");
    requireWorker(readModel, id);
    const beforeSeq = query.cursor === undefined ? undefined : decodeCursor(query.cursor, "before", "number");
    let page: Awaited<ReturnType<EventFeed["workerEvents"]>>;
    try {
      page = await deps.feed.workerEvents(id, { limit: query.limit, beforeSeq });
    } catch (error) {
      throw unavailable("could not read the worker's events", error);
    }
    return c.json(
      {
        items: page.items.map((item) => ({
          seq: item.seq,
          name: item.name,
          event: JSON.parse(item.json) as Record<string, unknown>,
        })),
        next_cursor: page.nextBeforeSeq === null ? null : encodeCursor({ before: page.nextBeforeSeq }),
      },
      200,
    );
  };

  return { list, get, register, refresh, events };
}
