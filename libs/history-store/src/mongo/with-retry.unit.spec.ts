import { MongoNetworkError, MongoServerError, MongoServerSelectionError } from "mongodb";
import { describe, expect, it } from "vitest";
import { StoreUnavailableError } from "../errors.ts";
import { silentLogger } from "../logger.ts";
import { isTransientMongoError } from "./transient-error.ts";
import { type RetryPolicy, withRetry } from "./with-retry.ts";

const recordingPolicy = (delays: number[]): RetryPolicy => ({
  maxAttempts: 4,
  initialDelayMs: 100,
  maxDelayMs: 250,
  sleep: async (ms) => {
    delays.push(ms);
  },
});

describe("withRetry", () => {
  it("retries transient errors with capped exponential backoff and returns the eventual result", async () => {
    const delays: number[] = [];
    let calls = 0;

    const result = await withRetry(
      "insertMany",
      async () => {
        calls++;
        if (calls < 4) throw new MongoNetworkError("connection reset");
        return "stored";
      },
      isTransientMongoError,
      recordingPolicy(delays),
      silentLogger,
    );

    expect(result).toBe("stored");
    expect(delays).toEqual([100, 200, 250]);
  });

  it("gives up with a StoreUnavailableError carrying the last error as cause", async () => {
    const lastError = new MongoNetworkError("still down");

    const failure = withRetry(
      "insertMany",
      async () => {
        throw lastError;
      },
      isTransientMongoError,
      recordingPolicy([]),
      silentLogger,
    );

    await expect(failure).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(failure).rejects.toMatchObject({ code: "STORE_UNAVAILABLE", cause: lastError });
  });

  it("rethrows a non-transient error at once", async () => {
    const delays: number[] = [];
    const invalid = new MongoServerError({ message: "bad pipeline", code: 40_324 });

    const failure = withRetry(
      "aggregate",
      async () => {
        throw invalid;
      },
      isTransientMongoError,
      recordingPolicy(delays),
      silentLogger,
    );

    await expect(failure).rejects.toBe(invalid);
    expect(delays).toEqual([]);
  });
});

describe("isTransientMongoError", () => {
  it("treats network, server selection, failover codes and retryable labels as transient", () => {
    const labelled = new MongoServerError({
      message: "write failed",
      code: 1,
      errorLabels: ["RetryableWriteError"],
    });

    expect(isTransientMongoError(new MongoNetworkError("reset"))).toBe(true);
    expect(
      isTransientMongoError(new MongoServerSelectionError("no primary", { message: "no primary" } as never)),
    ).toBe(true);
    expect(isTransientMongoError(new MongoServerError({ message: "stepped down", code: 189 }))).toBe(true);
    expect(isTransientMongoError(labelled)).toBe(true);
  });

  it("treats validation-like server errors and foreign errors as permanent", () => {
    expect(isTransientMongoError(new MongoServerError({ message: "bad", code: 2 }))).toBe(false);
    expect(isTransientMongoError(new Error("boom"))).toBe(false);
  });
});
