import type { HistoryQueryReply, HistoryQueryRequest } from "@cml-telemetry/contracts";
import type { HistoryClient } from "../ports.ts";

/** In-memory history client answering with `answer` (default: no samples) and recording requests. */
export interface FakeHistoryClient extends HistoryClient {
  readonly requests: HistoryQueryRequest[];
  answer: (request: HistoryQueryRequest) => HistoryQueryReply | Promise<HistoryQueryReply>;
}

/** Creates a {@link FakeHistoryClient}. */
export function createFakeHistoryClient(): FakeHistoryClient {
  const fake: FakeHistoryClient = {
    requests: [],
    answer: (request) => ({
      ok: true,
      workerId: request.workerId,
      from: request.from,
      to: request.to,
      intervalSeconds: request.intervalSeconds ?? null,
      ...(request.intervalSeconds === undefined ? { samples: [] } : { buckets: [] }),
    }),
    async query(request) {
      fake.requests.push(request);
      return await fake.answer(request);
    },
  };
  return fake;
}
