import type { HistoryQueryReply } from "@cml-telemetry/contracts";
import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../app/create-router.ts";
import { type HistoryClient, HistoryUnavailableError, type WorkerReadModel } from "../../ports.ts";
import { ProblemError } from "../../problems.ts";
import type { historyRoute } from "./history.routes.ts";
import { snakeCase, toHistoryRequest } from "./history-params.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function snakeKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [snakeCase(key), value]));
}

/** Handler of the history route. */
export function createHistoryHandler(deps: {
  history: HistoryClient;
  readModel: WorkerReadModel;
  now: () => Date;
}): RouteHandler<typeof historyRoute, AppEnv> {
  return async (c) => {
    const { id } = c.req.valid("param");
    const known = deps.readModel.get(id) !== undefined;
    if (!UUID.test(id)) throw new ProblemError("not-found", `worker ${id} does not exist`);
    const request = toHistoryRequest(id, c.req.valid("query"), deps.now());
    let reply: HistoryQueryReply;
    try {
      reply = await deps.history.query(request);
    } catch (error) {
      if (error instanceof HistoryUnavailableError) {
        throw new ProblemError("service-unavailable", error.message, { headers: { "Retry-After": "5" } });
      }
      throw new ProblemError("upstream-error", `history reply unusable: ${(error as Error).message}`);
    }
    if (!reply.ok) {
      if (reply.error.type === "validation") {
        const param = reply.error.field ?? "query";
        throw new ProblemError("validation-error", `${param}: ${reply.error.message}`, { param });
      }
      if (reply.error.type === "unavailable")
        throw new ProblemError("service-unavailable", reply.error.message);
      throw new ProblemError("upstream-error", reply.error.message);
    }
    const empty = (reply.samples?.length ?? 0) === 0 && (reply.buckets?.length ?? 0) === 0;
    // History outlives workers: only a worker that is neither known nor has any history is unknown.
    if (!known && empty)
      throw new ProblemError("not-found", `worker ${id} does not exist and has no history`);
    return c.json(
      {
        worker_id: reply.workerId,
        from: reply.from,
        to: reply.to,
        interval_seconds: reply.intervalSeconds,
        ...(reply.samples === undefined
          ? {}
          : {
              samples: reply.samples.map((sample) => ({
                timestamp: sample.timestamp,
                source: sample.source,
                region: sample.region,
                values: snakeKeys(sample.values),
                ...(sample.labels === undefined ? {} : { labels: sample.labels }),
              })),
            }),
        ...(reply.buckets === undefined
          ? {}
          : {
              buckets: reply.buckets.map((bucket) => ({
                start: bucket.start,
                source: bucket.source,
                count: bucket.count,
                metrics: snakeKeys(bucket.metrics),
              })),
            }),
      },
      200,
    );
  };
}
