import type { ServerResponse } from "node:http";

/** Writes a JSON response; 4xx/5xx payloads are sent as RFC 7807 problem+json with their status. */
export function sendJson(response: ServerResponse, status: number, payload: unknown): void {
  const problem = status >= 400;
  const body =
    problem && typeof payload === "object" && payload !== null && !Array.isArray(payload)
      ? { status, ...payload }
      : payload;
  response.writeHead(status, { "content-type": problem ? "application/problem+json" : "application/json" });
  response.end(JSON.stringify(body));
}
