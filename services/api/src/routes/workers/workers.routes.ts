import { createRoute, z } from "@hono/zod-openapi";
import { authProblems, problemContent } from "../../app/problem-schema.ts";
import {
  listWorkersQuerySchema,
  refreshAcceptedSchema,
  refreshQuerySchema,
  registerAcceptedSchema,
  registerWorkerBodySchema,
  workerEventsPageSchema,
  workerEventsQuerySchema,
  workerIdParamSchema,
  workerPageSchema,
  workerViewSchema,
} from "./workers.schemas.ts";

const tags = ["workers"];
const security = [{ bearerAuth: [] }];

export const listWorkersRoute = createRoute({
  method: "get",
  path: "/",
  tags,
  security,
  summary: "List workers (from the local read model), stable order by id, cursor paging",
  request: { query: listWorkersQuerySchema },
  responses: {
    200: { description: "A page of workers", content: { "application/json": { schema: workerPageSchema } } },
    400: problemContent("Bad filter, limit or cursor (`validation-error`)"),
    ...authProblems,
  },
});

export const getWorkerRoute = createRoute({
  method: "get",
  path: "/{id}",
  tags,
  security,
  summary: "One worker, source-separated",
  request: { params: workerIdParamSchema },
  responses: {
    200: { description: "The worker", content: { "application/json": { schema: workerViewSchema } } },
    404: problemContent("Unknown worker (`not-found`)"),
    ...authProblems,
  },
});

export const registerWorkerRoute = createRoute({
  method: "post",
  path: "/",
  tags,
  security,
  summary: "Register an existing EC2 instance as a worker (operator)",
  request: {
    body: { required: true, content: { "application/json": { schema: registerWorkerBodySchema } } },
  },
  responses: {
    200: {
      description:
        "The worker already existed. A `name` or `https_endpoint` that differs from its own is applied (the `https_endpoint` pinned, so IP changes do not move it); `worker` shows it once visible. `request_id` is the correlation id of the change.",
      headers: z.object({ Location: z.string() }),
      content: { "application/json": { schema: registerAcceptedSchema } },
    },
    201: {
      description: "Registration published; `worker` is null when it is not visible yet",
      headers: z.object({ Location: z.string() }),
      content: { "application/json": { schema: registerAcceptedSchema } },
    },
    400: problemContent("Bad body (`validation-error`)"),
    403: problemContent("Viewer token, or a browser page from a foreign origin (`forbidden`)"),
    409: problemContent(
      "The worker is terminated, or its `cml:endpoint` tag pins another endpoint (`conflict`, `param` https_endpoint)",
    ),
    413: problemContent("Body too large (`payload-too-large`)"),
    415: problemContent("Body is not JSON (`unsupported-media-type`)"),
    503: problemContent("Command could not be published (`service-unavailable`)"),
    ...authProblems,
  },
});

export const refreshWorkerRoute = createRoute({
  method: "post",
  path: "/{id}/refresh",
  tags,
  security,
  summary: "Collect every applicable source now (operator); `wait` answers with the refreshed worker",
  request: { params: workerIdParamSchema, query: refreshQuerySchema },
  responses: {
    200: {
      description:
        "Every applicable source reported; the refreshed worker. `X-Correlation-Id` names the refresh whose events these are.",
      headers: z.object({ "X-Correlation-Id": z.string() }),
      content: { "application/json": { schema: workerViewSchema } },
    },
    202: {
      description:
        "Refresh published, or joined: a refresh of the worker already in flight (on any API replica) is joined and its `request_id` answered. Also the answer when `wait` elapsed first.",
      headers: z.object({
        "X-Correlation-Id": z
          .string()
          .openapi({ description: "The refresh's correlation id (= `request_id`)" }),
      }),
      content: { "application/json": { schema: refreshAcceptedSchema } },
    },
    400: problemContent("Bad `wait` (`validation-error`)"),
    403: problemContent("Viewer token, or a browser page from a foreign origin (`forbidden`)"),
    404: problemContent("Unknown worker (`not-found`)"),
    429: problemContent(
      "The last refresh of this worker started less than REFRESH_MIN_INTERVAL_SECONDS ago (`rate-limited`, `Retry-After`)",
    ),
    503: problemContent("Commands could not be published (`service-unavailable`)"),
    ...authProblems,
  },
});

export const workerEventsRoute = createRoute({
  method: "get",
  path: "/{id}/events",
  tags,
  security,
  summary: "The worker's stored domain events, newest first",
  request: { params: workerIdParamSchema, query: workerEventsQuerySchema },
  responses: {
    200: {
      description: "A page of events",
      content: { "application/json": { schema: workerEventsPageSchema } },
    },
    400: problemContent("Bad limit or cursor (`validation-error`)"),
    404: problemContent("Unknown worker (`not-found`)"),
    503: problemContent("Event stream not reachable (`service-unavailable`)"),
    ...authProblems,
  },
});
