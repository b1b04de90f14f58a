import { workerIdOf } from "@cml-telemetry/contracts";
import { describe, expect, it } from "vitest";
import { createWorkerIdentityCheck, WorkerIdentityError } from "./worker-identity.ts";

const ref = { workerId: workerIdOf("us-east-1", "i-0abc"), region: "us-east-1", instanceId: "i-0abc" };

describe("createWorkerIdentityCheck", () => {
  it("accepts a verified id again and still rejects the same id with other data", () => {
    const check = createWorkerIdentityCheck({ maxEntries: 2 });
    check(ref);
    check(ref);
    expect(() => check({ ...ref, region: "eu-west-1" })).toThrow(WorkerIdentityError);
    expect(() => check({ ...ref, instanceId: "i-0abd" })).toThrow(WorkerIdentityError);
  });

  it("keeps checking once it forgot what it verified", () => {
    const check = createWorkerIdentityCheck({ maxEntries: 1 });
    const other = { workerId: workerIdOf("us-east-1", "i-0abd"), region: "us-east-1", instanceId: "i-0abd" };
    check(ref);
    check(other);
    check(ref);
    expect(() => check({ ...other, workerId: ref.workerId })).toThrow(WorkerIdentityError);
  });
});
