import { DOMAIN_EVENT_NAMES } from "@cml-telemetry/contracts";
import { createRoute, z } from "@hono/zod-openapi";
import { authProblems, problemContent } from "../../app/problem-schema.ts";

/** Query of the SSE feed. */
export const eventsQuerySchema = z.object({
  worker_id: z.uuid().optional().openapi({ description: "Only this worker's events" }),
  type: z
    .string()
    .optional()
    .openapi({ description: `Comma list of event names: ${DOMAIN_EVENT_NAMES.join(", ")}` }),
  access_token: z
    .string()
    .optional()
    .openapi({ description: "Bearer token for clients that cannot set headers (EventSource)" }),
});

export const eventsHeadersSchema = z.object({
  "last-event-id": z
    .string()
    .regex(/^\d+$/, "must be a stream sequence number")
    .optional()
    .openapi({ description: "Resume after this event (SSE reconnect)" }),
});

export const eventsRoute = createRoute({
  method: "get",
  path: "/events",
  tags: ["live"],
  security: [{ bearerAuth: [] }],
  summary: "Server-Sent Events of domain events; `id` is the stream sequence, `Last-Event-ID` resumes",
  request: { query: eventsQuerySchema, headers: eventsHeadersSchema },
  responses: {
    200: {
      description:
        "`event:` is the domain event name, `data:` the CloudEvent JSON, `id:` the stream sequence; comment heartbeats every 15 s. A `Last-Event-ID` the stream no longer holds (expired, or from before the stream was recreated) gets `event: reset` first (`data` `{ reason, last_event_id, first_seq, last_seq }`, `id` the stream's last sequence): re-read state, then follow the live events.",
      content: { "text/event-stream": { schema: z.string() } },
    },
    400: problemContent("Bad filter or Last-Event-ID (`validation-error`)"),
    429: problemContent("This token has as many live clients as allowed (`rate-limited`, `Retry-After`)"),
    503: problemContent("This API instance has as many live clients as allowed (`service-unavailable`)"),
    ...authProblems,
  },
});
