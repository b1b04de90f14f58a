import { describe, expect, it } from "vitest";
import { isBeyondStream, type StreamSpan } from "./outbox-publisher.ts";

const DAY = 86_400_000;
const now = Date.parse("2026-12-04T12:00:00.000Z");
/** A month-old stream with a 30-day max age that keeps receiving events. */
const steady: StreamSpan = {
  maxAgeMs: 30 * DAY,
  messages: 50_000,
  firstSeq: 9_000,
  firstMs: now - 30 * DAY + 60_000,
  lastSeq: 59_000,
  lastMs: now - 1_000,
};

describe("isBeyondStream (an outbox none of whose entries the stream holds)", () => {
  it("is not for a recent outbox: a crash left it unpublished", () => {
    expect(isBeyondStream(steady, { decidedAtMs: now - 60_000, writtenAtMs: now - 59_000 }, now)).toBe(false);
  });

  it("is for one decided longer ago than the max age, or within a tenth of it (at most an hour) of it", () => {
    expect(isBeyondStream(steady, { decidedAtMs: now - 31 * DAY, writtenAtMs: undefined }, now)).toBe(true);
    expect(
      isBeyondStream(steady, { decidedAtMs: now - 30 * DAY + 3_000_000, writtenAtMs: undefined }, now),
    ).toBe(true);
    expect(isBeyondStream(steady, { decidedAtMs: now - 29 * DAY, writtenAtMs: undefined }, now)).toBe(false);
    const short = { ...steady, maxAgeMs: 10_000 };
    expect(isBeyondStream(short, { decidedAtMs: now - 9_500, writtenAtMs: undefined }, now)).toBe(true);
    expect(isBeyondStream(short, { decidedAtMs: now - 8_000, writtenAtMs: undefined }, now)).toBe(false);
  });

  it("is for one written before the stream was emptied, not after", () => {
    const purged = { ...steady, messages: 0, firstSeq: 59_001, firstMs: Number.NaN };
    expect(isBeyondStream(purged, { decidedAtMs: now - 5_000, writtenAtMs: now - 4_000 }, now)).toBe(true);
    expect(isBeyondStream(purged, { decidedAtMs: now, writtenAtMs: now - 500 }, now)).toBe(false);
  });

  it("is for one written before the first message a stream that dropped messages still holds", () => {
    const refilled = { ...steady, firstMs: now - 10_000 };
    expect(isBeyondStream(refilled, { decidedAtMs: now - 20_000, writtenAtMs: now - 19_000 }, now)).toBe(
      true,
    );
    expect(isBeyondStream(refilled, { decidedAtMs: now - 6_000, writtenAtMs: now - 5_000 }, now)).toBe(false);
  });

  it("is not for a stream that never dropped anything, nor without a write time to compare", () => {
    const young = { ...steady, firstSeq: 1, firstMs: now - 1_000 };
    expect(isBeyondStream(young, { decidedAtMs: now - 5_000, writtenAtMs: now - 4_000 }, now)).toBe(false);
    const empty = {
      ...steady,
      messages: 0,
      firstSeq: 1,
      lastSeq: 0,
      firstMs: Number.NaN,
      lastMs: Number.NaN,
    };
    expect(isBeyondStream(empty, { decidedAtMs: now - 5_000, writtenAtMs: now - 4_000 }, now)).toBe(false);
    const purged = { ...steady, messages: 0 };
    expect(isBeyondStream(purged, { decidedAtMs: now - 5_000, writtenAtMs: undefined }, now)).toBe(false);
  });
});
