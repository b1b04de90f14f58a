import { LIFECYCLE_OUTCOMES, type LifecycleAction } from "@cml-telemetry/contracts";
import { createRoute, z } from "@hono/zod-openapi";
import { authProblems, problemContent } from "../../app/problem-schema.ts";
import { workerIdParamSchema, workerViewSchema } from "../workers/workers.schemas.ts";

const waitSchema = z.coerce.number().int().min(0).max(300).optional().openapi({
  type: "integer",
  description:
    "Seconds to wait for EC2's answer and for the worker to show it (bounded by LIFECYCLE_WAIT_MAX_SECONDS); 0 or absent: answer 202 at once",
});

/** Query of `POST /workers/:id/start` and `/stop`. */
export const lifecycleQuerySchema = z.object({ wait: waitSchema });

/** Query of `POST /workers/:id/terminate`: the worker's instance id, typed again, confirms the termination. */
export const terminateQuerySchema = z.object({
  wait: waitSchema,
  confirm: z
    .string({ error: "required: the worker's instance id (i-…), to confirm the termination" })
    .min(1, "required: the worker's instance id (i-…), to confirm the termination")
    .openapi({
      description: "The worker's instance id, to confirm the termination",
      example: "i-0123456789abcdef0",
    }),
});

/** Answer of a lifecycle request that was published and not (or not long enough) waited for. */
export const lifecycleAcceptedSchema = z
  .object({
    request_id: z.string().openapi({
      description:
        "The request's id (its `X-Request-Id`): the `requestId` of the command and of the `<action>_requested` event, and their correlation id",
    }),
  })
  .openapi("LifecycleAccepted");

/** Answer of a lifecycle request waited for: EC2's outcome and the worker showing it. */
export const lifecycleDoneSchema = z
  .object({
    request_id: z.string(),
    outcome: z.enum(LIFECYCLE_OUTCOMES).openapi({
      description:
        "`accepted`: EC2 took the call (the worker is in the transitional or target state); `already`: it was in that state, no call made; `rejected`: EC2 refused (see the worker's events for `errorType`, e.g. `unauthorized`, `incorrect_state`)",
    }),
    worker: workerViewSchema,
  })
  .openapi("LifecycleDone");

const WHAT: Record<LifecycleAction, { summary: string; target: string }> = {
  start: { summary: "Start the worker's EC2 instance (operator)", target: "PENDING or RUNNING" },
  stop: { summary: "Stop the worker's EC2 instance (operator)", target: "STOPPING or STOPPED" },
  terminate: {
    summary: "Terminate the worker's EC2 instance (operator); `confirm` must be its instance id",
    target: "SHUTTING_DOWN or TERMINATED",
  },
};

function lifecycleRoute<A extends LifecycleAction>(action: A) {
  const { summary, target } = WHAT[action];
  return {
    method: "post" as const,
    path: `/{id}/${action}` as const,
    tags: ["workers"],
    security: [{ bearerAuth: [] }],
    summary,
    description: `Publishes \`cml.cmd.lifecycle.${action}.<workerId>\` (reason \`operator\`, requested by the token's name, \`anonymous\` without tokens); worker-lifecycle calls EC2 once per request and the outcome appears as \`${action}_requested\` in \`GET /workers/{id}/events\`. The request's \`X-Request-Id\` is the request id and correlation id: repeating it repeats the same request, which is executed once.`,
    responses: {
      200: {
        description: `With \`wait\`: the \`${action}_requested\` event of this request arrived and the worker shows it — for an \`accepted\` outcome, with status ${target}`,
        content: { "application/json": { schema: lifecycleDoneSchema } },
      },
      202: {
        description: "Command published (also the answer when `wait` elapsed first)",
        content: { "application/json": { schema: lifecycleAcceptedSchema } },
      },
      400: problemContent(
        action === "terminate"
          ? "Bad `wait`, or `confirm` missing or not the worker's instance id (`validation-error`, `param`)"
          : "Bad `wait` (`validation-error`)",
      ),
      403: problemContent("Viewer token, or a browser page from a foreign origin (`forbidden`)"),
      404: problemContent("Unknown worker (`not-found`)"),
      409: problemContent("The worker is terminated (`conflict`)"),
      503: problemContent(
        "The command could not be published, or the worker's events not followed for `wait` (`service-unavailable`)",
      ),
      ...authProblems,
    },
  };
}

export const startWorkerRoute = createRoute({
  ...lifecycleRoute("start"),
  request: { params: workerIdParamSchema, query: lifecycleQuerySchema },
});

export const stopWorkerRoute = createRoute({
  ...lifecycleRoute("stop"),
  request: { params: workerIdParamSchema, query: lifecycleQuerySchema },
});

export const terminateWorkerRoute = createRoute({
  ...lifecycleRoute("terminate"),
  request: { params: workerIdParamSchema, query: terminateQuerySchema },
});
