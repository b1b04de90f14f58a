import type { LifecycleAction, LifecycleOutcome, WorkerState } from "@cml-telemetry/contracts";
import type { RouteHandler } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../../app/create-router.ts";
import type { WorkerReadModel } from "../../ports.ts";
import { ProblemError } from "../../problems.ts";
import type { LifecycleRequests } from "../../workers/lifecycle-requests.ts";
import { requireWorker } from "../../workers/require-worker.ts";
import { toWorkerView, type WorkerView, type WorkerViewContext } from "../../workers/worker-view.ts";
import type { startWorkerRoute, stopWorkerRoute, terminateWorkerRoute } from "./lifecycle.routes.ts";

/** What the lifecycle handlers need. */
export interface LifecycleDeps {
  readModel: WorkerReadModel;
  lifecycle: LifecycleRequests;
  view: WorkerViewContext;
  now: () => Date;
  /** `LIFECYCLE_WAIT_MAX_SECONDS`. */
  waitMaxSeconds: number;
}

/** 200 with the outcome once waited for, else 202 with the request id. */
type Answer =
  | { done: true; body: { request_id: string; outcome: LifecycleOutcome; worker: WorkerView } }
  | { done: false; body: { request_id: string } };

/** Handlers of `POST /workers/:id/start`, `/stop` and `/terminate`. */
export function createLifecycleHandlers(deps: LifecycleDeps) {
  const { readModel, now } = deps;

  /** Publishes the action's command and, with `wait`, waits for its outcome. */
  async function act(
    c: Context<AppEnv>,
    action: LifecycleAction,
    query: { wait?: number | undefined; confirm?: string | undefined },
  ): Promise<Answer> {
    const id = c.req.param("id") as string;
    if (query.wait !== undefined && query.wait > deps.waitMaxSeconds) {
      throw new ProblemError("validation-error", `wait: must be at most ${deps.waitMaxSeconds} seconds`, {
        param: "wait",
      });
    }
    const worker = requireLiveWorker(readModel, id);
    if (action === "terminate" && query.confirm !== worker.instanceId) {
      throw new ProblemError(
        "validation-error",
        `confirm: must be the worker's instance id ${worker.instanceId}, to confirm the termination`,
        { param: "confirm" },
      );
    }
    const requestId = c.get("requestId");
    let result: Awaited<ReturnType<LifecycleRequests["request"]>>;
    try {
      result = await deps.lifecycle.request(
        { worker, action, requestId, requestedBy: c.get("principal").name },
        (query.wait ?? 0) * 1000,
      );
    } catch (error) {
      throw new ProblemError(
        "service-unavailable",
        `could not request the ${action}: ${(error as Error).message}`,
        {},
        { cause: error },
      );
    }
    if (result === undefined) return { done: false, body: { request_id: requestId } };
    return {
      done: true,
      body: {
        request_id: requestId,
        outcome: result.outcome,
        worker: toWorkerView(result.worker, now(), deps.view),
      },
    };
  }

  const start: RouteHandler<typeof startWorkerRoute, AppEnv> = async (c) => {
    const answer = await act(c, "start", c.req.valid("query"));
    return answer.done ? c.json(answer.body, 200) : c.json(answer.body, 202);
  };
  const stop: RouteHandler<typeof stopWorkerRoute, AppEnv> = async (c) => {
    const answer = await act(c, "stop", c.req.valid("query"));
    return answer.done ? c.json(answer.body, 200) : c.json(answer.body, 202);
  };
  const terminate: RouteHandler<typeof terminateWorkerRoute, AppEnv> = async (c) => {
    const answer = await act(c, "terminate", c.req.valid("query"));
    return answer.done ? c.json(answer.body, 200) : c.json(answer.body, 202);
  };
  return { start, stop, terminate };
}

/** The worker, when it exists and is not terminated (nothing is left to start, stop or terminate). */
function requireLiveWorker(readModel: WorkerReadModel, id: string): WorkerState {
  const worker = requireWorker(readModel, id);
  if (worker.status === "TERMINATED" || worker.terminatedAt !== null) {
    throw new ProblemError(
      "conflict",
      `worker ${id} is terminated; its instance cannot be started, stopped or terminated`,
    );
  }
  return worker;
}
