import { domainEvents, workerIdOf } from "@cml-telemetry/contracts";
import { describe, expect, it } from "vitest";
import { createTestApp } from "../../app/create-test-app.ts";
import { PROBLEM_BASE } from "../../problems.ts";
import { aWorkerState } from "../../testing/worker-state-builder.ts";

const NOW = new Date("2026-11-25T12:00:00.000Z");

function setup(settings = {}) {
  return createTestApp({ now: () => NOW, settings });
}

async function problemOf(response: Response) {
  expect(response.headers.get("content-type")).toBe("application/problem+json");
  return (await response.json()) as { type: string; status: number; param?: string; detail: string };
}

const WORKER_KEYS = [
  "id",
  "name",
  "region",
  "instance_id",
  "instance_type",
  "ami_id",
  "ami_name",
  "status",
  "service_status",
  "license_status",
  "cml_version",
  "https_endpoint",
  "public_ip",
  "private_ip",
  "active_labs_count",
  "last_activity_at",
  "is_idle",
  "can_connect",
  "created_at",
  "updated_at",
  "terminated_at",
  "terminated_by",
  "stopped_by",
  "last_lifecycle_action",
  "ec2_metrics",
  "cloudwatch_metrics",
  "cml_metrics",
  "idle_policy",
  "cost",
].sort();

describe("GET /api/v1/workers/:id", () => {
  it("answers the worker in snake_case with exactly the DESIGN §7 and §11 fields, never-collected blocks null", async () => {
    const t = setup();
    const worker = aWorkerState();
    t.readModel.upsert(worker);
    const response = await t.app.request(`/api/v1/workers/${worker.id}`, { headers: t.auth("viewer") });
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, Record<string, unknown>>;
    expect(Object.keys(body).sort()).toEqual(WORKER_KEYS);
    expect(Object.keys(body.ec2_metrics ?? {}).sort()).toEqual(
      [
        "instance_state_detail",
        "instance_status_check",
        "system_status_check",
        "last_checked_at",
        "last_error",
      ].sort(),
    );
    expect(Object.keys(body.cloudwatch_metrics ?? {}).sort()).toEqual(
      [
        "cpu_utilization",
        "memory_utilization",
        "last_collected_at",
        "detailed_monitoring_enabled",
        "last_error",
        "datapoint_at",
        "period_seconds",
        "stale",
      ].sort(),
    );
    expect(Object.keys(body.cml_metrics ?? {}).sort()).toEqual(
      [
        "ready",
        "uptime_seconds",
        "labs_count",
        "running_labs_count",
        "version",
        "license_status",
        "cpu_percent",
        "memory_used_percent",
        "disk_used_percent",
        "running_nodes",
        "last_synced_at",
        "system_info",
        "last_error",
      ].sort(),
    );
    expect(body.cml_metrics?.ready).toBeNull();
    expect(body.cloudwatch_metrics?.cpu_utilization).toBeNull();
    expect(body.ec2_metrics?.last_error).toBeNull();
    expect(body.instance_id).toBe(worker.instanceId);
    expect(body.stopped_by).toBeNull();
    expect(body.terminated_by).toBeNull();
    expect(body.last_lifecycle_action).toBeNull();
    expect(body.idle_policy).toEqual({ mode: "off", state: "off", skip_reason: null });
    expect(body.cost).toEqual({
      hourly_usd: null,
      running_hours_month_to_date: 0,
      month_to_date_usd: null,
      saved_by_idle_stop_usd_month_to_date: null,
    });
  });

  it("computes uptime from cmlReadySince, idle and can_connect, and maps last errors", async () => {
    const t = setup();
    const worker = aWorkerState({
      cmlReadySince: "2026-11-25T11:00:00.000Z",
      lastActivityAt: "2026-11-25T11:00:00.000Z",
      activeLabsCount: 0,
      cmlMetrics: {
        ...aWorkerState().cmlMetrics,
        ready: true,
        lastError: { type: "CmlUnreachable", message: "refused", at: "2026-11-25T11:59:00.000Z" },
      },
    });
    t.readModel.upsert(worker);
    const body = (await (
      await t.app.request(`/api/v1/workers/${worker.id}`, { headers: t.auth("viewer") })
    ).json()) as {
      is_idle: boolean;
      can_connect: boolean;
      cml_metrics: { uptime_seconds: number; last_error: unknown };
    };
    expect(body.cml_metrics.uptime_seconds).toBe(3600);
    expect(body.is_idle).toBe(true);
    expect(body.can_connect).toBe(true);
    expect(body.cml_metrics.last_error).toEqual({
      type: "CmlUnreachable",
      message: "refused",
      at: "2026-11-25T11:59:00.000Z",
    });
  });

  it("answers 404 not-found for an unknown id", async () => {
    const t = setup();
    const response = await t.app.request("/api/v1/workers/nope", { headers: t.auth("viewer") });
    expect(response.status).toBe(404);
    expect((await problemOf(response)).type).toBe(`${PROBLEM_BASE}not-found`);
  });
});

describe("GET /api/v1/workers", () => {
  function fleet(t: ReturnType<typeof setup>) {
    const workers = [
      aWorkerState({ region: "us-east-1", status: "RUNNING" }),
      aWorkerState({ region: "eu-west-1", status: "STOPPED", serviceStatus: "UNAVAILABLE" }),
      aWorkerState({
        region: "us-east-1",
        status: "RUNNING",
        lastActivityAt: "2026-11-25T09:00:00.000Z",
        activeLabsCount: 0,
      }),
      aWorkerState({ region: "us-east-1", status: "RUNNING", httpsEndpoint: null }),
    ];
    for (const worker of workers) t.readModel.upsert(worker);
    return workers;
  }

  it("lists in id order and pages with an opaque cursor until next_cursor is null", async () => {
    const t = setup();
    const workers = fleet(t);
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 10; page++) {
      const query: string = cursor === null ? "limit=3" : `limit=3&cursor=${cursor}`;
      const response = await t.app.request(`/api/v1/workers?${query}`, { headers: t.auth("viewer") });
      expect(response.status).toBe(200);
      const body = (await response.json()) as { items: Array<{ id: string }>; next_cursor: string | null };
      seen.push(...body.items.map((item) => item.id));
      cursor = body.next_cursor;
      if (cursor === null) break;
    }
    expect(seen).toEqual(workers.map((worker) => worker.id).sort());
  });

  it.each([
    ["status=STOPPED", 1],
    ["region=us-east-1", 3],
    ["service_status=UNAVAILABLE", 1],
    ["idle=true", 1],
    ["idle=false", 3],
    ["can_connect=true", 2],
    ["can_connect=false&region=us-east-1", 1],
  ])("filters by %s", async (query, count) => {
    const t = setup();
    fleet(t);
    const response = await t.app.request(`/api/v1/workers?${query}`, { headers: t.auth("viewer") });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { items: unknown[]; next_cursor: string | null };
    expect(body.items).toHaveLength(count);
    expect(body.next_cursor).toBeNull();
  });

  it.each([
    ["limit=0", "limit"],
    ["limit=1001", "limit"],
    ["limit=abc", "limit"],
    ["status=BOGUS", "status"],
    ["idle=maybe", "idle"],
    ["can_connect=1", "can_connect"],
    ["cursor=not-a-cursor", "cursor"],
  ])("answers 400 validation-error for %s naming %s", async (query, param) => {
    const t = setup();
    const response = await t.app.request(`/api/v1/workers?${query}`, { headers: t.auth("viewer") });
    expect(response.status).toBe(400);
    const problem = await problemOf(response);
    expect(problem.type).toBe(`${PROBLEM_BASE}validation-error`);
    expect(problem.param).toBe(param);
  });
});

describe("auth", () => {
  it("answers 401 with WWW-Authenticate without a token and with an unknown token", async () => {
    const t = setup();
    for (const headers of [{}, { authorization: "Bearer wrong" }, { authorization: "Basic abc" }]) {
      const response = await t.app.request("/api/v1/workers", { headers });
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toMatch(/^Bearer/);
      expect((await problemOf(response)).type).toBe(`${PROBLEM_BASE}unauthorized`);
    }
  });

  it("answers 403 forbidden to a viewer on operator routes", async () => {
    const t = setup();
    const worker = aWorkerState();
    t.readModel.upsert(worker);
    const register = await t.app.request("/api/v1/workers", {
      method: "POST",
      headers: { ...t.auth("viewer"), "content-type": "application/json" },
      body: JSON.stringify({ region: "us-east-1", instance_id: "i-0123456789abcdef0" }),
    });
    expect(register.status).toBe(403);
    expect((await problemOf(register)).type).toBe(`${PROBLEM_BASE}forbidden`);
    const refresh = await t.app.request(`/api/v1/workers/${worker.id}/refresh`, {
      method: "POST",
      headers: t.auth("viewer"),
    });
    expect(refresh.status).toBe(403);
    expect(t.commands.published).toHaveLength(0);
  });

  it("lets every request through as operator when no tokens are configured", async () => {
    const t = createTestApp({ auth: false });
    const response = await t.app.request("/api/v1/workers");
    expect(response.status).toBe(200);
  });

  it("never echoes the presented token", async () => {
    const t = setup();
    const response = await t.app.request("/api/v1/workers", {
      headers: { authorization: "Bearer s3cr3t-value" },
    });
    expect(await response.text()).not.toContain("s3cr3t-value");
  });
});

describe("POST /api/v1/workers", () => {
  const body = {
    region: "us-east-1",
    instance_id: "i-0123456789abcdef0",
    name: "lab",
    https_endpoint: "https://cml.example.com",
  };

  function post(t: ReturnType<typeof setup>, payload: unknown, contentType = "application/json") {
    return t.app.request("/api/v1/workers", {
      method: "POST",
      headers: { ...t.auth("operator"), "content-type": contentType },
      body: typeof payload === "string" ? payload : JSON.stringify(payload),
    });
  }

  it("publishes the register command and answers 201 with Location, the worker once the KV shows it", async () => {
    const t = setup();
    const id = workerIdOf(body.region, body.instance_id);
    t.commands.onPublish = () => {
      setTimeout(
        () => t.readModel.upsert(aWorkerState({ region: body.region, instanceId: body.instance_id })),
        5,
      );
    };
    const response = await post(t, body);
    expect(response.status).toBe(201);
    expect(response.headers.get("location")).toBe(`/api/v1/workers/${id}`);
    const answer = (await response.json()) as { id: string; worker: { id: string } | null };
    expect(answer.id).toBe(id);
    expect(answer.worker?.id).toBe(id);
    expect(t.commands.published[0]).toMatchObject({
      kind: "register",
      command: {
        workerId: id,
        region: "us-east-1",
        instanceId: "i-0123456789abcdef0",
        name: "lab",
        httpsEndpoint: "https://cml.example.com",
        requestedBy: "ops-team",
      },
    });
  });

  it("answers 201 with worker null when the KV does not show it in time", async () => {
    const t = setup();
    const response = await post(t, body);
    expect(response.status).toBe(201);
    expect(((await response.json()) as { worker: unknown }).worker).toBeNull();
  });

  it("answers a known worker with the registration envelope (200), nothing published when nothing is new", async () => {
    const t = setup();
    const known = aWorkerState({ region: body.region, instanceId: body.instance_id });
    t.readModel.upsert(known);
    const response = await post(t, { region: body.region, instance_id: body.instance_id });
    expect(response.status).toBe(200);
    expect(response.headers.get("location")).toBe(`/api/v1/workers/${known.id}`);
    const answer = (await response.json()) as { id: string; request_id: string; worker: { id: string } };
    expect(answer).toMatchObject({ id: known.id, worker: { id: known.id } });
    expect(answer.request_id).toBe(response.headers.get("x-request-id"));
    expect(t.commands.published).toHaveLength(0);
  });

  it("applies a new name and endpoint to a known worker: register command, 200 envelope with the changed worker", async () => {
    const t = setup();
    const known = aWorkerState({
      region: body.region,
      instanceId: body.instance_id,
      name: "discovered",
      httpsEndpoint: "https://203.0.113.10",
      endpointPinned: false,
    });
    t.readModel.upsert(known);
    t.commands.onPublish = () => {
      setTimeout(
        () =>
          t.readModel.upsert({
            ...known,
            version: known.version + 1,
            name: body.name,
            httpsEndpoint: body.https_endpoint,
            endpointPinned: true,
          }),
        5,
      );
    };
    const response = await post(t, body);
    expect(response.status).toBe(200);
    const answer = (await response.json()) as {
      id: string;
      request_id: string;
      worker: { name: string; https_endpoint: string };
    };
    expect(answer.worker).toMatchObject({ name: "lab", https_endpoint: "https://cml.example.com" });
    expect(t.commands.published).toEqual([
      {
        kind: "register",
        command: {
          workerId: known.id,
          region: body.region,
          instanceId: body.instance_id,
          name: "lab",
          httpsEndpoint: "https://cml.example.com",
          requestedBy: "ops-team",
        },
        correlationId: answer.request_id,
      },
    ]);
  });

  it("answers 409 when the cml:endpoint tag pins another endpoint, or the worker is terminated", async () => {
    const t = setup();
    const tagged = aWorkerState({
      region: body.region,
      instanceId: body.instance_id,
      httpsEndpoint: "https://tagged.example.com",
      endpointPinned: true,
      tags: { "cml:endpoint": "https://tagged.example.com" },
    });
    t.readModel.upsert(tagged);
    const pinned = await post(t, body);
    expect(pinned.status).toBe(409);
    expect((await problemOf(pinned)).param).toBe("https_endpoint");
    t.readModel.upsert({
      ...tagged,
      tags: {},
      status: "TERMINATED",
      terminatedAt: "2026-11-25T11:00:00.000Z",
    });
    expect((await post(t, body)).status).toBe(409);
    expect(t.commands.published).toHaveLength(0);
  });

  it.each([
    [{ instance_id: "i-0123456789abcdef0" }, "region"],
    [{ region: "us-east-1", instance_id: "bad" }, "instance_id"],
    // EC2 accepts 8 or 17 hex digits only; anything else would fail every call it is sent in.
    [{ region: "us-east-1", instance_id: "i-0123456789" }, "instance_id"],
    [{ region: "us-east-1", instance_id: "i-0123456789ABCDEF0" }, "instance_id"],
    [{ ...body, https_endpoint: "http://insecure" }, "https_endpoint"],
    [{ ...body, extra: 1 }, "body"],
  ])("answers 400 for a bad body %j", async (payload, param) => {
    const t = setup();
    const response = await post(t, payload);
    expect(response.status).toBe(400);
    const problem = await problemOf(response);
    expect(problem.type).toBe(`${PROBLEM_BASE}validation-error`);
    expect(problem.param).toBe(param);
  });

  it("answers 400 for malformed JSON and 413 for an oversized body", async () => {
    const t = setup({ maxBodyBytes: 1024 });
    const malformed = await post(t, "{not json");
    expect(malformed.status).toBe(400);
    expect((await problemOf(malformed)).type).toBe(`${PROBLEM_BASE}validation-error`);
    const huge = await post(t, { ...body, name: "x".repeat(4096) });
    expect(huge.status).toBe(413);
    expect((await problemOf(huge)).type).toBe(`${PROBLEM_BASE}payload-too-large`);
  });

  it("answers 415 unsupported-media-type for a body that is not JSON", async () => {
    const t = setup();
    const response = await post(t, body, "text/plain");
    expect(response.status).toBe(415);
    expect((await problemOf(response)).type).toBe(`${PROBLEM_BASE}unsupported-media-type`);
  });

  it("answers 503 when the command cannot be published", async () => {
    const t = setup();
    t.commands.failWith(new Error("no JetStream"));
    const response = await post(t, body);
    expect(response.status).toBe(503);
    expect((await problemOf(response)).type).toBe(`${PROBLEM_BASE}service-unavailable`);
  });
});

describe("POST /api/v1/workers/:id/refresh", () => {
  const at = "2026-11-25T12:00:00.000Z";

  function refresh(t: ReturnType<typeof setup>, id: string, query = "") {
    return t.app.request(`/api/v1/workers/${id}/refresh${query}`, {
      method: "POST",
      headers: t.auth("operator"),
    });
  }

  it("publishes collect for every applicable source with one fresh correlation id and answers 202", async () => {
    const t = setup();
    const worker = aWorkerState();
    t.readModel.upsert(worker);
    const response = await refresh(t, worker.id);
    expect(response.status).toBe(202);
    const body = (await response.json()) as { request_id: string; sources: string[] };
    expect(body.sources).toEqual(["ec2", "cloudwatch", "cml"]);
    expect(t.commands.published.map((entry) => entry.kind === "collect" && entry.source)).toEqual([
      "ec2",
      "cloudwatch",
      "cml",
    ]);
    for (const entry of t.commands.published) {
      expect(entry.correlationId).toBe(body.request_id);
      expect(entry.command).toMatchObject({ workerId: worker.id, reason: "refresh" });
    }
  });

  it.each([
    [{ status: "STOPPED" as const }, ["ec2"]],
    [{ status: "RUNNING" as const, httpsEndpoint: null }, ["ec2", "cloudwatch"]],
  ])("gates sources by state %j", async (overrides, sources) => {
    const t = setup();
    const worker = aWorkerState(overrides);
    t.readModel.upsert(worker);
    const body = (await (await refresh(t, worker.id)).json()) as { sources: string[] };
    expect(body.sources).toEqual(sources);
  });

  it("with wait answers 200 with the refreshed worker once every source reported or failed", async () => {
    const t = setup();
    const worker = aWorkerState();
    t.readModel.upsert(worker);
    t.commands.onPublish = (entry) => {
      if (entry.kind !== "collect") return;
      const base = { workerId: worker.id, observedAt: at };
      setTimeout(() => {
        if (entry.source === "ec2") {
          t.feed.append(
            "ec2_metrics_updated",
            { ...domainEvents.ec2_metrics_updated.example, ...base, version: 2 },
            {
              correlationId: entry.correlationId,
            },
          );
        } else if (entry.source === "cloudwatch") {
          t.feed.append(
            "cloudwatch_metrics_updated",
            { ...domainEvents.cloudwatch_metrics_updated.example, ...base, version: 3 },
            {
              correlationId: entry.correlationId,
            },
          );
        } else {
          t.feed.append(
            "source_failed",
            { ...domainEvents.source_failed.example, ...base, source: "cml", version: 4 },
            {
              correlationId: entry.correlationId,
            },
          );
          t.readModel.upsert({ ...worker, version: 4, cmlVersion: "2.9.2" });
        }
      }, 5);
    };
    const response = await refresh(t, worker.id, "?wait=5");
    expect(response.status).toBe(200);
    const body = (await response.json()) as { id: string; cml_version: string };
    expect(body).toMatchObject({ id: worker.id, cml_version: "2.9.2" });
  });

  it("ignores events of other correlation ids and answers 202 when wait elapses", async () => {
    const t = setup({ refreshWaitMaxSeconds: 1 });
    const worker = aWorkerState({ status: "STOPPED" });
    t.readModel.upsert(worker);
    t.commands.onPublish = () => {
      t.feed.append(
        "ec2_metrics_updated",
        { ...domainEvents.ec2_metrics_updated.example, workerId: worker.id, version: 2, observedAt: at },
        { correlationId: "someone-else" },
      );
    };
    const response = await refresh(t, worker.id, "?wait=1");
    expect(response.status).toBe(202);
  });

  it("joins a refresh in flight: 202 with its request_id, nothing published again", async () => {
    const t = setup();
    const worker = aWorkerState();
    t.readModel.upsert(worker);
    const first = (await (await refresh(t, worker.id)).json()) as { request_id: string; sources: string[] };
    const second = await refresh(t, worker.id);
    expect(second.status).toBe(202);
    expect(await second.json()).toEqual(first);
    expect(t.commands.published).toHaveLength(3);
    t.close();
  });

  it("with wait, a joined refresh answers 200 once the refresh in flight completed", async () => {
    const t = setup();
    const worker = aWorkerState({ status: "STOPPED" });
    t.readModel.upsert(worker);
    const { request_id: requestId } = (await (await refresh(t, worker.id)).json()) as { request_id: string };
    const joined = refresh(t, worker.id, "?wait=5");
    setTimeout(() => {
      t.feed.append(
        "ec2_metrics_updated",
        { ...domainEvents.ec2_metrics_updated.example, workerId: worker.id, version: 2, observedAt: at },
        { correlationId: requestId },
      );
      t.readModel.upsert({ ...worker, version: 2 });
    }, 5);
    const response = await joined;
    expect(response.status).toBe(200);
    expect(((await response.json()) as { id: string }).id).toBe(worker.id);
  });

  it("keeps a minimum interval per worker: 429 with Retry-After once the refresh ended", async () => {
    const t = setup({ refreshMinIntervalSeconds: 45 });
    const worker = aWorkerState({ status: "STOPPED" });
    t.readModel.upsert(worker);
    t.commands.onPublish = (entry) =>
      setTimeout(() => {
        t.feed.append(
          "ec2_metrics_updated",
          { ...domainEvents.ec2_metrics_updated.example, workerId: worker.id, version: 2, observedAt: at },
          { correlationId: entry.correlationId },
        );
        t.readModel.upsert({ ...worker, version: 2 });
      });
    expect((await refresh(t, worker.id, "?wait=5")).status).toBe(200);
    const again = await refresh(t, worker.id);
    expect(again.status).toBe(429);
    expect(again.headers.get("retry-after")).toBe("45");
    expect((await problemOf(again)).type).toBe(`${PROBLEM_BASE}rate-limited`);
    expect(t.commands.published).toHaveLength(1);
  });

  it("takes the caller's X-Request-Id as the refresh's request_id and correlation id", async () => {
    const t = setup();
    const worker = aWorkerState();
    t.readModel.upsert(worker);
    const response = await t.app.request(`/api/v1/workers/${worker.id}/refresh`, {
      method: "POST",
      headers: { ...t.auth("operator"), "x-request-id": "trace:42.a_b-c" },
    });
    expect(response.status).toBe(202);
    expect(response.headers.get("x-request-id")).toBe("trace:42.a_b-c");
    expect(((await response.json()) as { request_id: string }).request_id).toBe("trace:42.a_b-c");
    expect(new Set(t.commands.published.map((entry) => entry.correlationId))).toEqual(
      new Set(["trace:42.a_b-c"]),
    );
    t.close();
  });

  it("answers 404 for an unknown worker and 400 for a wait above the maximum", async () => {
    const t = setup();
    const unknown = await refresh(t, "unknown");
    expect(unknown.status).toBe(404);
    const worker = aWorkerState();
    t.readModel.upsert(worker);
    for (const query of ["?wait=31", "?wait=-1", "?wait=soon"]) {
      const response = await refresh(t, worker.id, query);
      expect(response.status).toBe(400);
      expect((await problemOf(response)).param).toBe("wait");
    }
  });

  it("answers 503 and releases the worker when commands cannot be published", async () => {
    const t = setup();
    const worker = aWorkerState();
    t.readModel.upsert(worker);
    t.commands.failWith(new Error("down"));
    expect((await refresh(t, worker.id)).status).toBe(503);
    t.commands.failWith(undefined);
    expect((await refresh(t, worker.id)).status).toBe(202);
    t.close();
  });
});

describe("GET /api/v1/workers/:id/events", () => {
  it("pages the worker's events newest first", async () => {
    const t = setup();
    const worker = aWorkerState();
    const other = aWorkerState();
    t.readModel.upsert(worker);
    for (let version = 1; version <= 5; version++) {
      t.feed.append("status_changed", {
        ...domainEvents.status_changed.example,
        workerId: worker.id,
        version,
      });
      t.feed.append("status_changed", {
        ...domainEvents.status_changed.example,
        workerId: other.id,
        version,
      });
    }
    const first = await t.app.request(`/api/v1/workers/${worker.id}/events?limit=3`, {
      headers: t.auth("viewer"),
    });
    expect(first.status).toBe(200);
    const page1 = (await first.json()) as {
      items: Array<{ seq: number; event: { data: { version: number } } }>;
      next_cursor: string;
    };
    expect(page1.items.map((item) => item.event.data.version)).toEqual([5, 4, 3]);
    const second = await t.app.request(
      `/api/v1/workers/${worker.id}/events?limit=3&cursor=${page1.next_cursor}`,
      {
        headers: t.auth("viewer"),
      },
    );
    const page2 = (await second.json()) as {
      items: Array<{ event: { data: { version: number } } }>;
      next_cursor: string | null;
    };
    expect(page2.items.map((item) => item.event.data.version)).toEqual([2, 1]);
    expect(page2.next_cursor).toBeNull();
  });

  it("answers 404 for an unknown worker and 400 for a bad limit", async () => {
    const t = setup();
    expect((await t.app.request("/api/v1/workers/x/events", { headers: t.auth("viewer") })).status).toBe(404);
    const worker = aWorkerState();
    t.readModel.upsert(worker);
    const response = await t.app.request(`/api/v1/workers/${worker.id}/events?limit=0`, {
      headers: t.auth("viewer"),
    });
    expect(response.status).toBe(400);
    expect((await problemOf(response)).param).toBe("limit");
  });
});
