import { DOMAIN_EVENT_NAMES, workerIdSchema } from "@cml-telemetry/contracts";
import { z } from "zod";

/** Messages a WebSocket client sends. */
export const wsClientMessageSchema = z.discriminatedUnion("action", [
  z.object({
    action: z.literal("subscribe"),
    worker_id: workerIdSchema.optional(),
    types: z.array(z.enum(DOMAIN_EVENT_NAMES as [string, ...string[]])).optional(),
  }),
  z.object({ action: z.literal("unsubscribe"), worker_id: workerIdSchema.optional() }),
]);
export type WsClientMessage = z.infer<typeof wsClientMessageSchema>;

/** Parses a client message; a readable error string when it is not one. */
export function parseWsClientMessage(text: string): WsClientMessage | string {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return "message is not JSON";
  }
  const parsed = wsClientMessageSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  return `${issue?.path.join(".") || "message"}: ${issue?.message ?? "invalid"}`;
}
