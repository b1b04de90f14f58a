import { type DomainEvent, domainEvents, type WorkerState } from "@cml-telemetry/contracts";
import { createDeciderSpec } from "@cml-telemetry/testing";
import { describe, expect, it } from "vitest";
import { at, commandOf, dateAt, WORKER_ID } from "../testing/worker-fixtures.ts";
import type { WorkerCommand } from "./commands.ts";
import { decide } from "./decide.ts";
import { evolve } from "./evolve.ts";
import { initialState } from "./initial-state.ts";
import { canConnect } from "./rules.ts";

const spec = createDeciderSpec<WorkerCommand, DomainEvent, WorkerState>({
  decide,
  evolve,
  initialState: () => initialState(WORKER_ID),
});

/** Events of a sequence of commands, each decided on the state the previous ones left. */
function history(...commands: WorkerCommand[]): DomainEvent[] {
  return historyAfter([], ...commands);
}

/** {@link history} on the state the `given` events leave; returns the given events and the new ones. */
function historyAfter(given: DomainEvent[], ...commands: WorkerCommand[]): DomainEvent[] {
  let state = given.reduce(evolve, initialState(WORKER_ID));
  const all: DomainEvent[] = [...given];
  for (const command of commands) {
    const events = decide(command, state, dateAt(0));
    state = events.reduce(evolve, state);
    all.push(...events);
  }
  return all;
}

const names = (events: DomainEvent[]) => events.map((event) => event.name);
const discoveredAt0 = () => history(commandOf.discovered());

describe("ec2.discovered", () => {
  it("registers an unknown instance with its instance details, endpoint and status", () => {
    const base = { workerId: WORKER_ID, version: 1, observedAt: at(0) };
    spec
      .given()
      .when(commandOf.discovered())
      .then([
        {
          name: "registered",
          data: {
            ...base,
            region: "us-east-1",
            instanceId: "i-0123456789abcdef0",
            name: "cml-lab-01",
            httpsEndpoint: null,
            createdBy: "discovery",
          },
        },
        {
          name: "instance_assigned",
          data: {
            ...base,
            region: "us-east-1",
            instanceId: "i-0123456789abcdef0",
            name: "cml-lab-01",
            instanceType: "m5zn.metal",
            amiId: "ami-0abcdef1234567890",
            amiName: "cml-2.9.1",
            publicIp: "203.0.113.10",
            privateIp: "10.0.1.15",
            tags: { "cml:worker": "true", Name: "cml-lab-01" },
            detailedMonitoring: false,
          },
        },
        {
          name: "endpoint_changed",
          data: {
            ...base,
            oldEndpoint: null,
            newEndpoint: "https://203.0.113.10",
            publicIp: "203.0.113.10",
            privateIp: "10.0.1.15",
            pinned: false,
          },
        },
        { name: "status_changed", data: { ...base, oldStatus: "UNKNOWN", newStatus: "RUNNING" } },
      ]);
  });

  it("folds the discovery into the state", () => {
    spec
      .given()
      .when(commandOf.discovered())
      .thenState((state) => {
        expect(state).toMatchObject({
          id: WORKER_ID,
          region: "us-east-1",
          instanceId: "i-0123456789abcdef0",
          name: "cml-lab-01",
          instanceType: "m5zn.metal",
          status: "RUNNING",
          httpsEndpoint: "https://203.0.113.10",
          endpointPinned: false,
          publicIp: "203.0.113.10",
          createdBy: "discovery",
          createdAt: at(0),
          updatedAt: at(0),
          lastDiscoveredAt: at(0),
          version: 1,
        });
      });
  });

  it.each([
    ["pending", "PENDING"],
    ["stopping", "STOPPING"],
    ["stopped", "STOPPED"],
    ["shutting-down", "SHUTTING_DOWN"],
    ["rebooting", "UNKNOWN"],
  ])("maps instance state %s to %s", (instanceState, status) => {
    spec
      .given()
      .when(commandOf.discovered({ instanceState }))
      .thenState((state, events) => {
        expect(state.status).toBe(status);
        expect(names(events).includes("status_changed")).toBe(status !== "UNKNOWN");
      });
  });

  it("uses the cml:endpoint tag and keeps it pinned when the public IP changes", () => {
    const tags = { "cml:worker": "true", "cml:endpoint": "https://cml.example.com" };
    const given = history(commandOf.discovered({ tags }));
    expect(given.find((event) => event.name === "endpoint_changed")?.data).toMatchObject({
      newEndpoint: "https://cml.example.com",
      pinned: true,
    });
    spec
      .given(given)
      .when(commandOf.discovered({ tags, publicIp: "203.0.113.99", observedAt: at(5) }))
      .then((events) => expect(names(events)).toEqual(["instance_assigned"]));
  });

  it("moves an IP-derived endpoint with the public IP", () => {
    spec
      .given(discoveredAt0())
      .when(commandOf.discovered({ publicIp: "203.0.113.11", observedAt: at(5) }))
      .then((events) => {
        expect(names(events)).toEqual(["instance_assigned", "endpoint_changed"]);
        expect(events[1]?.data).toMatchObject({
          version: 2,
          oldEndpoint: "https://203.0.113.10",
          newEndpoint: "https://203.0.113.11",
          pinned: false,
        });
      });
  });

  it("records a newer discovery that changes nothing as instance_assigned only (it moves the discovery clock)", () => {
    spec
      .given(discoveredAt0())
      .when(commandOf.discovered({ observedAt: at(5) }))
      .thenState((state, events) => {
        expect(names(events)).toEqual(["instance_assigned"]);
        expect(state).toMatchObject({ lastDiscoveredAt: at(5), statusObservedAt: at(5), status: "RUNNING" });
      });
  });

  it("ignores a discovery older than or as old as the last applied one", () => {
    const given = history(commandOf.discovered({ observedAt: at(5) }));
    spec
      .given(given)
      .when(commandOf.discovered({ observedAt: at(5), name: "renamed" }))
      .thenNothing();
    spec
      .given(given)
      .when(commandOf.discovered({ observedAt: at(2), instanceState: "stopped" }))
      .thenNothing();
  });

  it("does not roll back a status set by a newer status check", () => {
    const given = history(
      commandOf.discovered(),
      commandOf.ec2Status({ instanceState: "stopped", observedAt: at(10) }),
    );
    spec
      .given(given)
      .when(commandOf.discovered({ instanceState: "running", name: "renamed", observedAt: at(5) }))
      .then((events) => expect(names(events)).toEqual(["instance_assigned"]));
  });
});

describe("ec2.status", () => {
  it("updates the EC2 block on every accepted observation and the status when it changes", () => {
    const base = { workerId: WORKER_ID, version: 2, observedAt: at(1) };
    spec
      .given(discoveredAt0())
      .when(commandOf.ec2Status({ instanceState: "stopping", instanceStatus: "impaired" }))
      .then([
        {
          name: "ec2_metrics_updated",
          data: {
            ...base,
            instanceState: "stopping",
            instanceStatusCheck: "impaired",
            systemStatusCheck: "ok",
            checkedAt: at(1),
          },
        },
        { name: "status_changed", data: { ...base, oldStatus: "RUNNING", newStatus: "STOPPING" } },
      ]);
  });

  it("emits only ec2_metrics_updated when the status stays", () => {
    spec
      .given(discoveredAt0())
      .when(commandOf.ec2Status())
      .thenState((state, events) => {
        expect(names(events)).toEqual(["ec2_metrics_updated"]);
        expect(state.ec2Metrics).toEqual({
          instanceState: "running",
          instanceStatusCheck: "ok",
          systemStatusCheck: "ok",
          lastCheckedAt: at(1),
          lastObservedAt: at(1),
          lastError: null,
        });
      });
  });

  it("ignores out-of-order and equal-time observations", () => {
    const given = history(commandOf.discovered(), commandOf.ec2Status({ observedAt: at(5) }));
    spec
      .given(given)
      .when(commandOf.ec2Status({ observedAt: at(3), instanceState: "stopped" }))
      .thenNothing();
    spec
      .given(given)
      .when(commandOf.ec2Status({ observedAt: at(5), instanceState: "stopped" }))
      .thenNothing();
  });

  it("compares timestamps by instant, not by their text", () => {
    const given = history(
      commandOf.discovered(),
      commandOf.ec2Status({ observedAt: "2026-11-25T12:05:00.500Z" }),
    );
    spec
      .given(given)
      .when(commandOf.ec2Status({ observedAt: "2026-11-25T12:05:00Z" }))
      .thenNothing();
  });

  it("ignores telemetry of a worker that was never registered", () => {
    spec.given().when(commandOf.ec2Status()).thenNothing();
    spec.given().when(commandOf.cml()).thenNothing();
    spec.given().when(commandOf.cloudwatch()).thenNothing();
    spec.given().when(commandOf.failed("cml")).thenNothing();
  });
});

describe("termination", () => {
  const terminatedHistory = () =>
    history(commandOf.discovered(), commandOf.ec2Status({ instanceState: "terminated", observedAt: at(10) }));

  it("emits status_changed and terminated once", () => {
    const events = terminatedHistory().filter((event) => event.data.version === 2);
    expect(events).toEqual([
      expect.objectContaining({ name: "ec2_metrics_updated" }),
      {
        name: "status_changed",
        data: {
          workerId: WORKER_ID,
          version: 2,
          observedAt: at(10),
          oldStatus: "RUNNING",
          newStatus: "TERMINATED",
        },
      },
      {
        name: "terminated",
        data: {
          workerId: WORKER_ID,
          version: 2,
          observedAt: at(10),
          terminatedAt: at(10),
          terminatedBy: "ec2",
        },
      },
    ]);
  });

  it("keeps the state and accepts no further telemetry", () => {
    const given = terminatedHistory();
    for (const command of [
      commandOf.ec2Status({ instanceState: "terminated", observedAt: at(20) }),
      commandOf.discovered({ instanceState: "terminated", observedAt: at(20) }),
      commandOf.cloudwatch({ observedAt: at(20) }),
      commandOf.cml({ observedAt: at(20) }),
      commandOf.failed("ec2", { observedAt: at(20) }),
      commandOf.register(),
      commandOf.detectIdle(),
    ]) {
      spec
        .given(given)
        .when(command, dateAt(600))
        .thenState((state, events) => {
          expect(events).toEqual([]);
          expect(state).toMatchObject({ status: "TERMINATED", terminatedAt: at(10), terminatedBy: "ec2" });
        });
    }
  });

  it("terminates a worker first seen terminated by discovery", () => {
    spec
      .given()
      .when(commandOf.discovered({ instanceState: "terminated", publicIp: null }))
      .then((events) =>
        expect(names(events)).toEqual(["registered", "instance_assigned", "status_changed", "terminated"]),
      );
  });
});

describe("cloudwatch.metrics", () => {
  it("updates the CloudWatch block and clears its last error", () => {
    const given = history(commandOf.discovered(), commandOf.failed("cloudwatch", { errorType: "Throttled" }));
    spec
      .given(given)
      .when(commandOf.cloudwatch({ observedAt: at(2), detailedMonitoring: true, periodSeconds: 60 }))
      .thenState((state, events) => {
        expect(events).toEqual([
          {
            name: "cloudwatch_metrics_updated",
            data: {
              workerId: WORKER_ID,
              version: 3,
              observedAt: at(2),
              cpuUtilization: 12.5,
              memoryUtilization: 40.1,
              periodSeconds: 60,
              detailedMonitoring: true,
              datapointAt: at(-5),
              stale: false,
              collectedAt: at(2),
            },
          },
        ]);
        expect(state.cloudwatchMetrics).toMatchObject({
          cpuUtilization: 12.5,
          memoryUtilization: 40.1,
          lastCollectedAt: at(2),
          detailedMonitoringEnabled: true,
          lastError: null,
        });
        expect(state.detailedMonitoring).toBe(true);
      });
  });

  it("keeps CPU and names the memory error as the block's last error when only memory could not be read", () => {
    const memoryError = {
      errorType: "access_denied",
      errorMessage: "cloudwatch:ListMetrics is not allowed; memory is not collected",
    };
    spec
      .given(discoveredAt0())
      .when(commandOf.cloudwatch({ observedAt: at(2), memoryUtilization: null, memoryError }))
      .thenState((state, events) => {
        expect(events).toMatchObject([{ name: "cloudwatch_metrics_updated", data: { memoryError } }]);
        expect(state.cloudwatchMetrics).toMatchObject({
          cpuUtilization: 12.5,
          memoryUtilization: null,
          lastCollectedAt: at(2),
          lastError: { type: "access_denied", message: memoryError.errorMessage, at: at(2) },
        });
      });
    spec
      .given(history(commandOf.discovered(), commandOf.cloudwatch({ observedAt: at(1), memoryError })))
      .when(commandOf.cloudwatch({ observedAt: at(2), memoryError: null }))
      .thenState((state) => expect(state.cloudwatchMetrics.lastError).toBeNull());
  });

  it("ignores an observation older than the last one", () => {
    spec
      .given(history(commandOf.discovered(), commandOf.cloudwatch({ observedAt: at(5) })))
      .when(commandOf.cloudwatch({ observedAt: at(4), cpuUtilization: 99 }))
      .thenNothing();
  });
});

describe("cml.metrics", () => {
  it("makes the service AVAILABLE, sets the license and reports uptime since the first ready observation", () => {
    const base = { workerId: WORKER_ID, version: 2, observedAt: at(1) };
    spec
      .given(discoveredAt0())
      .when(commandOf.cml())
      .then([
        {
          name: "service_status_changed",
          data: {
            ...base,
            oldStatus: "UNAVAILABLE",
            newStatus: "AVAILABLE",
            httpsEndpoint: "https://203.0.113.10",
          },
        },
        { name: "license_changed", data: { ...base, oldStatus: null, newStatus: "REGISTERED" } },
        {
          name: "cml_metrics_updated",
          data: {
            ...base,
            ready: true,
            cmlVersion: "2.9.1+build.7",
            uptimeSeconds: 0,
            labsCount: 2,
            runningLabsCount: 0,
            licenseStatus: "REGISTERED",
            cpuPercent: 4.2,
            memoryUsedPercent: 16.7,
            diskUsedPercent: 69.1,
            runningNodes: 0,
            systemInfo: { version: "2.9.1+build.7", ready: true },
            syncedAt: at(1),
          },
        },
      ]);
  });

  it("counts uptime from cmlReadySince and restarts it after the service was unreachable", () => {
    const given = history(commandOf.discovered(), commandOf.cml({ observedAt: at(1) }));
    spec
      .given(given)
      .when(commandOf.cml({ observedAt: at(11) }))
      .then((events) => {
        expect(names(events)).toEqual(["cml_metrics_updated"]);
        expect(events[0]?.data).toMatchObject({ uptimeSeconds: 600 });
      });
    const afterOutage = history(
      commandOf.discovered(),
      commandOf.cml({ observedAt: at(1) }),
      commandOf.failed("cml", { observedAt: at(5) }),
    );
    spec
      .given(afterOutage)
      .when(commandOf.cml({ observedAt: at(8) }))
      .thenState((state, events) => {
        expect(state.cmlReadySince).toBe(at(8));
        expect(events.at(-1)?.data).toMatchObject({ uptimeSeconds: 0 });
        expect(names(events)).toEqual(["service_status_changed", "cml_metrics_updated"]);
      });
  });

  it("reports STARTING and no uptime while CML answers but is not ready", () => {
    spec
      .given(discoveredAt0())
      .when(commandOf.cml({ ready: false, licenseStatus: null }))
      .thenState((state, events) => {
        expect(names(events)).toEqual(["service_status_changed", "cml_metrics_updated"]);
        expect(events[0]?.data).toMatchObject({ newStatus: "STARTING" });
        expect(events[1]?.data).toMatchObject({ uptimeSeconds: null });
        expect(state.cmlReadySince).toBeNull();
      });
  });

  it("moves lastActivityAt while labs run and keeps it when they stop", () => {
    const given = history(commandOf.discovered(), commandOf.cml({ runningLabsCount: 2, observedAt: at(1) }));
    spec
      .given(given)
      .when(commandOf.cml({ runningLabsCount: 1, observedAt: at(3) }))
      .thenState((state) => expect(state).toMatchObject({ lastActivityAt: at(3), activeLabsCount: 1 }));
    spec
      .given(given)
      .when(commandOf.cml({ runningLabsCount: 0, observedAt: at(3) }))
      .thenState((state) => expect(state).toMatchObject({ lastActivityAt: at(1), activeLabsCount: 0 }));
  });

  it("emits license_changed only when the license status changes", () => {
    const given = history(commandOf.discovered(), commandOf.cml());
    spec
      .given(given)
      .when(commandOf.cml({ observedAt: at(2) }))
      .then((events) => expect(names(events)).toEqual(["cml_metrics_updated"]));
    spec
      .given(given)
      .when(commandOf.cml({ observedAt: at(2), licenseStatus: "EXPIRED" }))
      .then((events) => {
        expect(names(events)).toEqual(["license_changed", "cml_metrics_updated"]);
        expect(events[0]?.data).toMatchObject({ oldStatus: "REGISTERED", newStatus: "EXPIRED" });
      });
  });
});

describe("<source>.failed", () => {
  it.each([
    ["CmlBooting", "STARTING"],
    ["CmlUnreachable", "UNAVAILABLE"],
    ["CmlAuthFailed", "ERROR"],
    ["CmlBadResponse", "ERROR"],
    ["deadline_exceeded", "UNAVAILABLE"],
    ["response_too_large", "ERROR"],
    ["tls_fingerprint_changed", "ERROR"],
    ["SomethingNew", "UNAVAILABLE"],
  ])(
    "maps CML failure %s to service status %s, kept as the cml block's last_error type",
    (errorType, serviceStatus) => {
      spec
        .given(history(commandOf.discovered(), commandOf.cml()))
        .when(commandOf.failed("cml", { errorType, observedAt: at(2) }))
        .thenState((state, events) => {
          expect(state.serviceStatus).toBe(serviceStatus);
          expect(state.cmlMetrics.lastError).toMatchObject({ type: errorType, at: at(2) });
          expect(events[0]).toEqual({
            name: "service_status_changed",
            data: {
              workerId: WORKER_ID,
              version: 3,
              observedAt: at(2),
              oldStatus: "AVAILABLE",
              newStatus: serviceStatus,
              httpsEndpoint: "https://203.0.113.10",
            },
          });
        });
    },
  );

  it("records the error on that source's block only and emits source_failed", () => {
    const given = history(
      commandOf.discovered(),
      commandOf.ec2Status(),
      commandOf.cloudwatch(),
      commandOf.cml(),
    );
    const before = given.reduce(evolve, initialState(WORKER_ID));
    spec
      .given(given)
      .when(
        commandOf.failed("cloudwatch", {
          errorType: "Throttled",
          errorMessage: "Rate exceeded",
          observedAt: at(2),
        }),
      )
      .thenState((state, events) => {
        expect(events).toEqual([
          {
            name: "source_failed",
            data: {
              workerId: WORKER_ID,
              version: 5,
              observedAt: at(2),
              source: "cloudwatch",
              errorType: "Throttled",
              errorMessage: "Rate exceeded",
              retryable: true,
              failedAt: at(2),
            },
          },
        ]);
        expect(state.cloudwatchMetrics).toEqual({
          ...before.cloudwatchMetrics,
          lastObservedAt: at(2),
          lastError: { type: "Throttled", message: "Rate exceeded", at: at(2) },
        });
        expect(state.ec2Metrics).toEqual(before.ec2Metrics);
        expect(state.cmlMetrics).toEqual(before.cmlMetrics);
        expect(state.serviceStatus).toBe("AVAILABLE");
      });
  });

  it("is cleared by the next success of the same source", () => {
    spec
      .given(history(commandOf.discovered(), commandOf.failed("ec2", { errorType: "AwsError" })))
      .when(commandOf.ec2Status({ observedAt: at(2) }))
      .thenState((state) => expect(state.ec2Metrics.lastError).toBeNull());
  });

  it("leaves the service and its readiness alone for an observation the aggregate could not store", () => {
    spec
      .given(history(commandOf.discovered(), commandOf.cml()))
      .when(commandOf.failed("cml", { errorType: "InputRejected", retryable: false, observedAt: at(2) }))
      .thenState((state, events) => {
        expect(names(events)).toEqual(["source_failed"]);
        expect(state).toMatchObject({ serviceStatus: "AVAILABLE", cmlReadySince: at(1) });
        expect(state.cmlMetrics.lastError).toMatchObject({ type: "InputRejected", at: at(2) });
      });
  });

  it("ignores a failure older than the last observation of that source", () => {
    spec
      .given(history(commandOf.discovered(), commandOf.cml({ observedAt: at(5) })))
      .when(commandOf.failed("cml", { observedAt: at(4) }))
      .thenNothing();
  });
});

describe("register", () => {
  it("registers an unknown worker with the requester and a pinned endpoint", () => {
    spec
      .given()
      .when(commandOf.register({ name: "lab", httpsEndpoint: "https://cml.example.com" }), dateAt(3))
      .then([
        {
          name: "registered",
          data: {
            workerId: WORKER_ID,
            version: 1,
            observedAt: at(3),
            region: "us-east-1",
            instanceId: "i-0123456789abcdef0",
            name: "lab",
            httpsEndpoint: "https://cml.example.com",
            createdBy: "ops-team",
          },
        },
      ]);
  });

  it("is idempotent for a known worker", () => {
    spec.given(discoveredAt0()).when(commandOf.register()).thenNothing();
    spec
      .given(history(commandOf.register()))
      .when(commandOf.register({ requestedBy: "other" }))
      .thenNothing();
  });

  it("keeps a registered endpoint pinned when discovery sees a public IP", () => {
    const given = history(commandOf.register({ httpsEndpoint: "https://cml.example.com" }));
    spec
      .given(given)
      .when(commandOf.discovered())
      .thenState((state, events) => {
        expect(names(events)).toEqual(["instance_assigned", "status_changed"]);
        expect(state).toMatchObject({
          httpsEndpoint: "https://cml.example.com",
          endpointPinned: true,
          createdBy: "ops-team",
        });
      });
  });
});

describe("register of a known worker", () => {
  it("applies a new name and pins a new endpoint: instance_assigned and endpoint_changed", () => {
    spec
      .given(discoveredAt0())
      .when(commandOf.register({ name: "lab", httpsEndpoint: "https://cml.example.com" }), dateAt(3))
      .thenState((state, events) => {
        expect(names(events)).toEqual(["instance_assigned", "endpoint_changed"]);
        expect(events[0]?.data).toMatchObject({ name: "lab", instanceType: "m5zn.metal", observedAt: at(3) });
        expect(events[1]?.data).toMatchObject({
          oldEndpoint: "https://203.0.113.10",
          newEndpoint: "https://cml.example.com",
          publicIp: "203.0.113.10",
          pinned: true,
        });
        expect(state).toMatchObject({
          name: "lab",
          httpsEndpoint: "https://cml.example.com",
          endpointPinned: true,
          instanceType: "m5zn.metal",
        });
      });
  });

  it("keeps the applied name and endpoint through later discoveries until the Name tag itself changes", () => {
    const given = history(
      commandOf.discovered(),
      commandOf.register({ name: "lab", httpsEndpoint: "https://cml.example.com" }),
    );
    spec
      .given(given)
      .when(commandOf.discovered({ observedAt: at(10), publicIp: "198.51.100.7" }))
      .thenState((state) =>
        expect(state).toMatchObject({ name: "lab", httpsEndpoint: "https://cml.example.com" }),
      );
    spec
      .given(given)
      .when(
        commandOf.discovered({
          observedAt: at(10),
          name: "renamed-in-aws",
          tags: { "cml:worker": "true", Name: "renamed-in-aws" },
        }),
      )
      .thenState((state) => expect(state.name).toBe("renamed-in-aws"));
  });

  it("leaves an endpoint the cml:endpoint tag pins, and pins the endpoint it already has", () => {
    const tagged = history(commandOf.discovered({ tags: { "cml:endpoint": "https://tagged.example.com" } }));
    spec
      .given(tagged)
      .when(commandOf.register({ httpsEndpoint: "https://cml.example.com" }))
      .thenNothing();
    spec
      .given(discoveredAt0())
      .when(commandOf.register({ httpsEndpoint: "https://203.0.113.10" }))
      .thenState((state, events) => {
        expect(names(events)).toEqual(["endpoint_changed"]);
        expect(state).toMatchObject({ httpsEndpoint: "https://203.0.113.10", endpointPinned: true });
      });
  });

  it("ignores a registration of a terminated worker", () => {
    spec
      .given(
        history(
          commandOf.discovered(),
          commandOf.discovered({ instanceState: "terminated", observedAt: at(5) }),
        ),
      )
      .when(commandOf.register({ name: "lab", httpsEndpoint: "https://cml.example.com" }))
      .thenNothing();
  });
});

describe("detectIdle", () => {
  const idleHistory = () =>
    history(
      commandOf.discovered(),
      commandOf.cml({ runningLabsCount: 1, observedAt: at(1) }),
      commandOf.cml({ runningLabsCount: 0, observedAt: at(2) }),
    );

  it("emits idle_detected once the last activity is older than the threshold", () => {
    spec
      .given(idleHistory())
      .when(commandOf.detectIdle(30), dateAt(45))
      .then([
        {
          name: "idle_detected",
          data: {
            workerId: WORKER_ID,
            version: 4,
            observedAt: at(45),
            lastActivityAt: at(1),
            idleMinutes: 44,
            thresholdMinutes: 30,
          },
        },
      ]);
  });

  it("does not fire before the threshold, while labs run, or without any activity", () => {
    spec.given(idleHistory()).when(commandOf.detectIdle(30), dateAt(31)).thenNothing();
    spec
      .given(history(commandOf.discovered(), commandOf.cml({ runningLabsCount: 1 })))
      .when(commandOf.detectIdle(30), dateAt(120))
      .thenNothing();
    spec.given(discoveredAt0()).when(commandOf.detectIdle(30), dateAt(120)).thenNothing();
    spec.given().when(commandOf.detectIdle(30), dateAt(120)).thenNothing();
  });

  it("fires once per idle period and again after new activity", () => {
    const first = [...idleHistory()];
    let state = first.reduce(evolve, initialState(WORKER_ID));
    const detected = decide(commandOf.detectIdle(30), state, dateAt(45));
    state = detected.reduce(evolve, state);
    expect(state.idleDetectedAt).toBe(at(45));
    expect(decide(commandOf.detectIdle(30), state, dateAt(90))).toEqual([]);

    const activity = decide(commandOf.cml({ runningLabsCount: 1, observedAt: at(100) }), state, dateAt(100));
    state = activity.reduce(evolve, state);
    expect(state.idleDetectedAt).toBeNull();
    const stopped = decide(commandOf.cml({ runningLabsCount: 0, observedAt: at(101) }), state, dateAt(101));
    state = stopped.reduce(evolve, state);
    expect(names(decide(commandOf.detectIdle(30), state, dateAt(140)))).toEqual(["idle_detected"]);
  });
});

describe("versions", () => {
  it("gives every event of one decision the same version and increments per decision with events", () => {
    const events = history(
      commandOf.discovered(),
      commandOf.discovered({ observedAt: at(1) }),
      commandOf.ec2Status({ observedAt: at(2) }),
      commandOf.cml({ observedAt: at(3) }),
    );
    expect(events.map((event) => event.data.version)).toEqual([1, 1, 1, 1, 2, 3, 4, 4, 4]);
  });

  it("sets updatedAt to the newest observation applied", () => {
    spec
      .given(history(commandOf.discovered(), commandOf.cml({ observedAt: at(9) })))
      .when(commandOf.ec2Status({ observedAt: at(4) }))
      .thenState((state) => expect(state.updatedAt).toBe(at(9)));
  });
});

describe("event data", () => {
  it("validates against the contract schema of every event type", () => {
    const events = [
      ...history(
        commandOf.discovered({ tags: { "cml:endpoint": "https://cml.example.com" } }),
        commandOf.discovered({ publicIp: "203.0.113.99", observedAt: at(1) }),
        commandOf.ec2Status({ observedAt: at(2) }),
        commandOf.cloudwatch({ observedAt: at(2) }),
        commandOf.cml({ runningLabsCount: 1, observedAt: at(2) }),
        commandOf.cml({ runningLabsCount: 0, licenseStatus: "EXPIRED", observedAt: at(3) }),
        commandOf.failed("cml", { observedAt: at(4) }),
      ),
      ...history(commandOf.register({ httpsEndpoint: "https://cml.example.com" })),
      ...history(
        commandOf.discovered(),
        commandOf.ec2Status({ instanceState: "terminated", observedAt: at(9) }),
      ),
    ];
    const idleState = history(
      commandOf.discovered(),
      commandOf.cml({ runningLabsCount: 1, observedAt: at(1) }),
      commandOf.cml({ runningLabsCount: 0, observedAt: at(2) }),
    ).reduce(evolve, initialState(WORKER_ID));
    events.push(...decide(commandOf.detectIdle(30), idleState, dateAt(60)));
    events.push(
      ...history(
        commandOf.discovered(),
        commandOf.cml({ runningLabsCount: 1, observedAt: at(1) }),
        commandOf.cml({ runningLabsCount: 0, observedAt: at(2) }),
        commandOf.idlePolicy({ idleSince: at(1), evaluatedAt: at(40) }),
        commandOf.ec2Action({
          action: "start",
          outcome: "already",
          currentState: "running",
          observedAt: at(41),
        }),
        commandOf.ec2Action({ requestId: "req-2", observedAt: at(42) }),
        commandOf.ec2Action({
          action: "terminate",
          requestId: "req-3",
          outcome: "rejected",
          errorType: "unauthorized",
          errorMessage: "UnauthorizedOperation",
          observedAt: at(43),
        }),
      ),
    );
    expect(new Set(names(events))).toEqual(new Set(Object.keys(domainEvents)));
    for (const event of events) {
      expect(() => domainEvents[event.name].schema.parse(event.data), event.name).not.toThrow();
    }
  });
});

describe("observation clocks (late and redelivered inputs never roll state back)", () => {
  it.each<[string, WorkerCommand, WorkerCommand, string[], Partial<WorkerState>]>([
    [
      "a status a newer discovery set against an older discovery",
      commandOf.discovered({ instanceState: "stopped", observedAt: at(10) }),
      commandOf.discovered({ instanceState: "running", observedAt: at(5) }),
      [],
      { status: "STOPPED" },
    ],
    [
      "a status a discovery set against an older status check",
      commandOf.discovered({ instanceState: "stopped", observedAt: at(10) }),
      commandOf.ec2Status({ instanceState: "running", observedAt: at(8) }),
      ["ec2_metrics_updated"],
      { status: "STOPPED" },
    ],
    [
      "a status a newer discovery confirmed against an older status check",
      commandOf.discovered({ observedAt: at(10) }),
      commandOf.ec2Status({ instanceState: "stopped", observedAt: at(5) }),
      ["ec2_metrics_updated"],
      { status: "RUNNING" },
    ],
    [
      "instance details a newer discovery confirmed against an older discovery",
      commandOf.discovered({ observedAt: at(10) }),
      commandOf.discovered({ publicIp: "203.0.113.99", observedAt: at(7) }),
      [],
      { publicIp: "203.0.113.10" },
    ],
    [
      "a status a status check set against an older discovery",
      commandOf.ec2Status({ instanceState: "stopping", observedAt: at(10) }),
      commandOf.discovered({ instanceState: "running", publicIp: "203.0.113.99", observedAt: at(6) }),
      ["instance_assigned", "endpoint_changed"],
      { status: "STOPPING", publicIp: "203.0.113.99" },
    ],
  ])("keep %s", (_, earlier, late, expectedEvents, expectedState) => {
    spec
      .given(history(commandOf.discovered(), earlier))
      .when(late)
      .thenState((state, events) => {
        expect(names(events)).toEqual(expectedEvents);
        expect(state).toMatchObject(expectedState);
      });
  });
});

describe("leaving RUNNING", () => {
  const busyRunning = () =>
    history(
      commandOf.discovered(),
      commandOf.cloudwatch({ observedAt: at(1) }),
      commandOf.cml({ runningLabsCount: 2, runningNodes: 9, observedAt: at(2) }),
    );

  it.each([
    ["stopping", "STOPPING"],
    ["stopped", "STOPPED"],
    ["shutting-down", "SHUTTING_DOWN"],
    ["terminated", "TERMINATED"],
  ])(
    "to %s makes the service UNAVAILABLE and clears readiness, uptime, labs and utilisation",
    (instanceState, status) => {
      spec
        .given(busyRunning())
        .when(commandOf.ec2Status({ instanceState, observedAt: at(10) }))
        .thenState((state, events) => {
          expect(events.find((event) => event.name === "service_status_changed")?.data).toMatchObject({
            oldStatus: "AVAILABLE",
            newStatus: "UNAVAILABLE",
          });
          expect(state).toMatchObject({
            status,
            serviceStatus: "UNAVAILABLE",
            cmlReadySince: null,
            activeLabsCount: 0,
            lastActivityAt: at(2),
          });
          expect(state.cmlMetrics).toMatchObject({
            ready: null,
            runningLabsCount: 0,
            runningNodes: 0,
            cpuPercent: null,
            memoryUsedPercent: null,
          });
          expect(state.cloudwatchMetrics).toMatchObject({ cpuUtilization: null, memoryUtilization: null });
          expect(canConnect(state)).toBe(false);
        });
    },
  );

  it("takes no CML or CloudWatch observation while not RUNNING (a late one from before the stop included)", () => {
    const given = historyAfter(
      busyRunning(),
      commandOf.ec2Status({ instanceState: "stopped", observedAt: at(10) }),
    );
    for (const command of [
      commandOf.cml({ runningLabsCount: 1, observedAt: at(9) }),
      commandOf.cml({ runningLabsCount: 1, observedAt: at(11) }),
      commandOf.cloudwatch({ observedAt: at(9) }),
      commandOf.failed("cml", { errorType: "CmlBooting", observedAt: at(11) }),
    ]) {
      spec.given(given).when(command, dateAt(12)).thenNothing();
    }
  });

  it("after a restart, ignores observations from before it and counts uptime from the first ready one after", () => {
    const restarted = historyAfter(
      busyRunning(),
      commandOf.ec2Status({ instanceState: "stopped", observedAt: at(10) }),
      commandOf.ec2Status({ instanceState: "running", observedAt: at(20) }),
    );
    spec
      .given(restarted)
      .when(commandOf.cml({ observedAt: at(9) }), dateAt(21))
      .thenNothing();
    spec
      .given(restarted)
      .when(commandOf.cml({ observedAt: at(21) }), dateAt(21))
      .thenState((state, events) => {
        expect(state).toMatchObject({ serviceStatus: "AVAILABLE", cmlReadySince: at(21) });
        expect(events.at(-1)?.data).toMatchObject({ uptimeSeconds: 0 });
      });
  });
});
