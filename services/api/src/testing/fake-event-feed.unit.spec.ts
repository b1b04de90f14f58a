import { describeEventFeedContract } from "./event-feed-contract.ts";
import { createFakeEventFeed } from "./fake-event-feed.ts";

describeEventFeedContract("in-memory fake", async () => {
  const feed = createFakeEventFeed();
  return {
    feed,
    append: async (name, data, correlationId) =>
      feed.append(name, data, correlationId === undefined ? {} : { correlationId }).seq,
    dropBefore: async (seq) => feed.dropBefore(seq),
  };
});
