import { mkdirSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import type { LifecycleAction, Source, WorkerState, WorkerStatus } from "@cml-telemetry/contracts";
import { describeOrSkip } from "@cml-telemetry/testing";
import { serve } from "@hono/node-server";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestApp, TEST_TOKENS, type TestApp } from "../src/testing/index.ts";
import { afterLifecycleOutcome, appendLifecycleEvent } from "../src/testing/lifecycle-fixture.ts";
import { givenPrice } from "../src/testing/price-entry.ts";
import { aWorkerState } from "../src/testing/worker-state-builder.ts";
import { CHROMIUM_ARGS, findChromium, requireChromium } from "./ensure-chromium.ts";
import { demoWorker, historyAnswer, metricsUpdatedEvent, refreshed, withCpu } from "./fleet-fixture.ts";

const chromiumBinary = findChromium();

const RESULTS_DIR = fileURLToPath(new URL("../test-results/", import.meta.url));
const DOCS_IMG_DIR = fileURLToPath(new URL("../../../docs/img/", import.meta.url));
/** The README's screenshots are rewritten only on request, so a test run leaves the work tree clean. */
const UPDATE_DOC_SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === "1";
const DEMO_FLEET_SIZE = 36;
const LARGE_FLEET_SIZE = 1_000;
/** The 95th percentile (nearest rank) of `values`; there is none of no values, so that is an error. */
function percentile95(values: number[]): number {
  if (values.length === 0) throw new Error("no measurements: the percentile of nothing would pass any bound");
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))] as number;
}

/**
 * Browsers log refused requests; these are expected while signing in (and EventSource complains about the problem
 * body a refused token gets).
 */
const EXPECTED_CONSOLE =
  /Failed to load resource: the server responded with a status of 401|EventSource's response has a MIME type \("application\/problem\+json"\)/;
/** The collection intervals the test API is configured with (CML every 10 min). */
const COLLECT_INTERVALS = { ec2: 60, cloudwatch: 60, cml: 600 } as const;
/** On-demand prices of the demo fleet's instance type (m5zn.metal) in its regions. */
const PRICES = { "us-east-1": 3.9641, "us-west-2": 3.9641, "eu-west-1": 4.4484 } as const;
/** How EC2 moves a worker through an accepted action: the transitional state, then the target. */
const MOVES: Record<LifecycleAction, { via: [WorkerStatus, string]; to: WorkerStatus }> = {
  start: { via: ["PENDING", "pending"], to: "RUNNING" },
  stop: { via: ["STOPPING", "stopping"], to: "STOPPED" },
  terminate: { via: ["SHUTTING_DOWN", "shutting-down"], to: "TERMINATED" },
};

describeOrSkip("operator dashboard in Chromium", chromiumBinary.skipReason, () => {
  let api: TestApp;
  let server: Server;
  let base: string;
  let browser: Browser;
  const consoleErrors: string[] = [];
  const workers: WorkerState[] = [];

  /** Publishes a CloudWatch observation of worker `index` with `cpu`, as the aggregate would. */
  function publishCpu(state: WorkerState, cpu: number): WorkerState {
    const next = withCpu(state, cpu, Date.now());
    api.readModel.upsert(next);
    const event = metricsUpdatedEvent("cloudwatch", next);
    api.feed.append(event.name, event.data);
    return next;
  }

  async function openPage(
    token: string | null,
    options: { path?: string; expectedConsole?: RegExp; beforeGoto?: (page: Page) => Promise<void> } = {},
  ): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1360, height: 860 } });
    if (token !== null) {
      await context.addInitScript((value) => sessionStorage.setItem("cml-telemetry.api-token", value), token);
    }
    const page = await context.newPage();
    page.on("console", (message) => {
      const text = message.text();
      if (
        message.type() === "error" &&
        !EXPECTED_CONSOLE.test(text) &&
        !options.expectedConsole?.test(text)
      ) {
        consoleErrors.push(text);
      }
    });
    page.on("pageerror", (error) => consoleErrors.push(error.message));
    await options.beforeGoto?.(page);
    await page.goto(`${base}${options.path ?? "/"}`);
    return page;
  }

  /** Opens the page of `worker` and waits for its title. */
  async function openWorkerPage(
    token: string,
    worker: WorkerState,
    options: Parameters<typeof openPage>[1] = {},
  ): Promise<Page> {
    const page = await openPage(token, options);
    await page.goto(`${base}/#/workers/${worker.id}`);
    await page
      .locator("#worker-title")
      .getByText(worker.name ?? "")
      .waitFor();
    return page;
  }

  const cpuOf = (page: Page, id: string) =>
    page.evaluate(
      (workerId) => document.querySelector(`tr[data-id="${workerId}"] .col-cpu`)?.textContent,
      id,
    );

  async function waitForLive(page: Page): Promise<void> {
    await page.waitForFunction(() => document.getElementById("live-state")?.textContent === "live");
  }

  beforeAll(async () => {
    mkdirSync(RESULTS_DIR, { recursive: true });
    mkdirSync(DOCS_IMG_DIR, { recursive: true });
    api = createTestApp({ settings: { heartbeatMs: 2_000, collectIntervalsSeconds: COLLECT_INTERVALS } });
    api.history.answer = historyAnswer;
    for (const [region, usd] of Object.entries(PRICES)) givenPrice(api.prices, region, "m5zn.metal", usd);
    const now = Date.now();
    for (let index = 0; index < DEMO_FLEET_SIZE; index++) {
      const worker = demoWorker(index, now);
      workers.push(worker);
      api.readModel.upsert(worker);
    }
    server = await new Promise<Server>((resolve) => {
      const started = serve({ fetch: api.app.fetch, hostname: "127.0.0.1", port: 0 }, () =>
        resolve(started as Server),
      );
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: requireChromium(chromiumBinary),
      headless: true,
      args: CHROMIUM_ARGS,
    });
  });

  afterAll(async () => {
    await browser?.close();
    api?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  it("asks for a token on 401, lists the fleet and updates a row live from the event feed", async () => {
    const page = await openPage(null);
    await page.locator("#auth").waitFor({ state: "visible" });
    await page.getByLabel("API token").fill(TEST_TOKENS.operator);
    await page.getByRole("button", { name: "Use token" }).click();
    await page.locator("tbody tr").first().waitFor();
    expect(await page.locator("tbody tr").count()).toBe(DEMO_FLEET_SIZE);
    expect(await page.locator("#principal").textContent()).toBe("ops-team (operator)");
    await waitForLive(page);

    const target = workers[0] as WorkerState;
    workers[0] = publishCpu(target, 87.6);
    await page.waitForFunction(
      (id) => document.querySelector(`tr[data-id="${id}"] .col-cpu`)?.textContent === "87.6 %",
      target.id,
    );
    expect(await page.locator(".summary-total .summary-count").textContent()).toBe(String(DEMO_FLEET_SIZE));
    expect(await page.locator(".age-stale").count()).toBeGreaterThan(0);
    expect(await page.locator(".age-failing").count()).toBeGreaterThan(0);
    await page.screenshot({ path: `${RESULTS_DIR}dashboard-fleet.png` });
    if (UPDATE_DOC_SCREENSHOTS) await page.screenshot({ path: `${DOCS_IMG_DIR}fleet.png` });

    await page.locator("#filter-status").selectOption("STOPPED");
    const statuses = await page.locator("tbody tr .col-status").allTextContents();
    expect(statuses.length).toBeGreaterThan(0);
    expect(new Set(statuses)).toEqual(new Set(["STOPPED"]));
    await page.locator("#filter-status").selectOption("");
    await page.getByRole("button", { name: "CPU" }).click();
    await page.getByRole("button", { name: "CPU" }).click();
    expect(await page.locator("th.col-cpu").getAttribute("aria-sort")).toBe("descending");
    expect(await page.locator("tbody tr .col-cpu").first().textContent()).toBe("87.6 %");

    const newcomer = demoWorker(LARGE_FLEET_SIZE + 1, Date.now());
    api.readModel.upsert(newcomer);
    api.feed.append("registered", {
      workerId: newcomer.id,
      version: newcomer.version,
      observedAt: newcomer.updatedAt,
      region: newcomer.region,
      instanceId: newcomer.instanceId,
      name: newcomer.name,
      httpsEndpoint: newcomer.httpsEndpoint,
      createdBy: "discovery",
    });
    await page.locator(`tr[data-id="${newcomer.id}"]`).waitFor();
    expect(await page.locator(".summary-total .summary-count").textContent()).toBe(
      String(DEMO_FLEET_SIZE + 1),
    );
    await page.context().close();
  });

  it("opens a worker by keyboard, draws its 24 h history with uPlot and refreshes every source", async () => {
    const page = await openPage(TEST_TOKENS.operator);
    const target = workers[1] as WorkerState;
    const row = page.locator(`tr[data-id="${target.id}"]`);
    await row.focus();
    await page.keyboard.press("Enter");
    await page
      .locator("#worker-title")
      .getByText(target.name ?? "")
      .waitFor();
    await waitForLive(page);

    await page.getByRole("button", { name: "24 h" }).click();
    await page.waitForFunction(() => Number(document.getElementById("history-chart")?.dataset.points) > 0);
    const points = await page.locator("#history-chart").getAttribute("data-points");
    expect(Number(points)).toBe(288);
    const paintedPixels = await page.evaluate(() => {
      const canvas = document.querySelector<HTMLCanvasElement>("#history-chart canvas");
      const context = canvas?.getContext("2d");
      if (!canvas || !context) return 0;
      const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
      let painted = 0;
      for (let index = 3; index < pixels.length; index += 4) if ((pixels[index] ?? 0) > 0) painted += 1;
      return painted;
    });
    expect(paintedPixels).toBeGreaterThan(1_000);
    expect(api.history.requests.at(-1)?.intervalSeconds).toBe(300);

    api.commands.onPublish = (published) => {
      if (published.kind !== "collect") return;
      setTimeout(() => {
        const current = api.readModel.get(target.id) as WorkerState;
        const next = refreshed(current, published.source as Source, Date.now(), 4);
        api.readModel.upsert(next);
        const event = metricsUpdatedEvent(published.source, next);
        api.feed.append(event.name, event.data, { correlationId: published.correlationId });
      }, 150);
    };
    await page.getByRole("button", { name: "Refresh now" }).click();
    await page.waitForFunction(() => {
      const items = [...document.querySelectorAll(".progress li")];
      return items.length === 3 && items.every((item) => item.className === "progress-updated");
    });
    expect(await page.locator(".source-cml dd").nth(3).textContent()).toBe("4 (4 running)");
    expect(await page.locator(".source-cloudwatch dd").first().textContent()).toBe("33.3 %");
    await page.waitForFunction(() => document.querySelectorAll(".events li").length >= 3);
    api.commands.onPublish = undefined;
    await page.screenshot({ path: `${RESULTS_DIR}dashboard-worker.png`, fullPage: true });
    if (UPDATE_DOC_SCREENSHOTS) await page.screenshot({ path: `${DOCS_IMG_DIR}worker.png`, fullPage: true });
    expect(await page.title()).toBe(`${target.name} · CML fleet`);

    await page.getByRole("link", { name: "← Fleet" }).click();
    await page.waitForFunction(
      (id) => (document.activeElement as HTMLElement | null)?.dataset.id === id,
      target.id,
    );
    await page.context().close();
  });

  it("follows a refresh still running after its wait by the correlation id on the feed", async () => {
    const target = workers[3] as WorkerState;
    const page = await openWorkerPage(TEST_TOKENS.operator, target);
    await waitForLive(page);
    let answerCloudWatch: (() => void) | undefined;
    api.commands.onPublish = (published) => {
      if (published.kind !== "collect") return;
      const answer = () => {
        const next = refreshed(api.readModel.get(target.id) as WorkerState, published.source, Date.now(), 2);
        api.readModel.upsert(next);
        const event = metricsUpdatedEvent(published.source, next);
        api.feed.append(event.name, event.data, { correlationId: published.correlationId });
      };
      if (published.source === "cloudwatch") answerCloudWatch = answer;
      else setTimeout(answer, 100);
    };
    await page.getByRole("button", { name: "Refresh now" }).click();
    await page.waitForFunction(
      () => document.querySelector(".refresh-note")?.textContent?.startsWith("Still collecting"),
      undefined,
      { timeout: 40_000 },
    );
    const states = () =>
      page.evaluate(() =>
        Object.fromEntries(
          [...document.querySelectorAll<HTMLElement>(".progress li")].map((item) => [
            item.dataset.source,
            item.className,
          ]),
        ),
      );
    expect(await states()).toEqual({
      ec2: "progress-updated",
      cloudwatch: "progress-pending",
      cml: "progress-updated",
    });
    expect(await page.getByRole("button", { name: "Refresh now" }).isDisabled()).toBe(true);
    answerCloudWatch?.();
    await page.waitForFunction(
      () => document.querySelector('.progress [data-source="cloudwatch"]')?.className === "progress-updated",
    );
    await page.waitForFunction(
      () => document.querySelector(".source-cloudwatch dd")?.textContent === "33.3 %",
    );
    expect(await page.getByRole("button", { name: "Refresh now" }).isEnabled()).toBe(true);
    api.commands.onPublish = undefined;
    await page.context().close();
  }, 60_000);

  it("fits a phone screen: the table scrolls inside its frame, not the page", async () => {
    const page = await openPage(TEST_TOKENS.viewer);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.locator("tbody tr").first().waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: `${RESULTS_DIR}dashboard-fleet-phone.png` });
    await page.goto(`${base}/#/workers/${(workers[1] as WorkerState).id}`);
    await page.waitForFunction(() => Number(document.getElementById("history-chart")?.dataset.points) > 0);
    expect(
      await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth),
    ).toBeLessThanOrEqual(0);
    await page.screenshot({ path: `${RESULTS_DIR}dashboard-worker-phone.png`, fullPage: true });
    await page.context().close();
  });

  /**
   * Plays worker-lifecycle and the aggregate for lifecycle commands: EC2 accepts, the worker moves to the transitional
   * state (outcome event and status change on the feed), and to the target once the test calls the returned release.
   */
  function playLifecycle(): { release: () => void; pending: () => number } {
    const waiting: Array<() => void> = [];
    api.commands.onPublish = (published) => {
      if (published.kind !== "lifecycle") return;
      const { action, requestId, requestedBy, workerId } = published.command;
      const move = MOVES[action];
      setTimeout(() => {
        const current = api.readModel.get(workerId) as WorkerState;
        const at = new Date().toISOString();
        const report = {
          action,
          requestId,
          requestedBy,
          outcome: "accepted" as const,
          previousState: current.status.toLowerCase(),
          currentState: move.via[1],
          at,
        };
        const moving = afterLifecycleOutcome(current, report, move.via[0]);
        api.readModel.upsert(moving);
        appendLifecycleEvent(api.feed, workerId, moving.version, report);
        const changed = (state: WorkerState, oldStatus: WorkerStatus) =>
          api.feed.append("status_changed", {
            workerId,
            version: state.version,
            observedAt: state.updatedAt,
            oldStatus,
            newStatus: state.status,
          });
        changed(moving, current.status);
        waiting.push(() => {
          const done = new Date().toISOString();
          const arrived: WorkerState = {
            ...moving,
            version: moving.version + 1,
            updatedAt: done,
            status: move.to,
            ...(action === "terminate" ? { terminatedAt: done, terminatedBy: requestedBy } : {}),
          };
          api.readModel.upsert(arrived);
          changed(arrived, moving.status);
        });
      }, 100);
    };
    return {
      release: () => waiting.shift()?.(),
      pending: () => waiting.length,
    };
  }

  it("starts, stops and terminates a worker from its page, showing each transition and outcome live", async () => {
    const target = workers[8] as WorkerState;
    const page = await openWorkerPage(TEST_TOKENS.operator, target, { expectedConsole: /status of 400/ });
    await waitForLive(page);
    const status = page.locator(".worker-badges .badge").first();
    const note = page.locator(".lifecycle-note");
    const field = (term: string) => page.locator(".lifecycle-info div", { hasText: term }).locator("dd");
    expect(await field("Cost this month").textContent()).toBe(
      `$0.00 (0 h at $${PRICES[target.region as keyof typeof PRICES]}/h)`,
    );
    expect(await field("Idle auto-stop").textContent()).toBe("off");
    expect(await page.locator("#start-button").isDisabled()).toBe(true);
    const ec2 = playLifecycle();

    await page.locator("#stop-button").click();
    await note.getByText("EC2 accepted the stop: running → stopping.").waitFor();
    await status.getByText("STOPPING", { exact: true }).waitFor();
    expect(await page.locator(".lifecycle .transition").textContent()).toBe("Stopping…");
    expect(await page.locator("#stop-button").isDisabled()).toBe(true);
    const stop = api.commands.published.at(-1);
    expect(stop).toMatchObject({
      kind: "lifecycle",
      command: {
        workerId: target.id,
        action: "stop",
        requestedBy: "ops-team",
        reason: "operator",
        dryRun: false,
      },
    });
    expect(stop?.correlationId).toBe(stop?.kind === "lifecycle" ? stop.command.requestId : undefined);
    await page.screenshot({ path: `${RESULTS_DIR}dashboard-worker-stopping.png` });
    ec2.release();
    await status.getByText("STOPPED", { exact: true }).waitFor();
    await page.waitForFunction(() => document.querySelector(".lifecycle .transition")?.textContent === "");
    expect(await field("Last lifecycle action").textContent()).toMatch(
      /^stop by ops-team \(operator\): accepted/,
    );
    expect(await field("Stopped by").textContent()).toBe("ops-team");
    expect(await page.locator("#start-button").isEnabled()).toBe(true);

    await page.locator("#start-button").click();
    await status.getByText("PENDING", { exact: true }).waitFor();
    expect(await page.locator(".lifecycle .transition").textContent()).toBe("Starting…");
    await note.getByText("EC2 accepted the start: stopped → pending.").waitFor();
    ec2.release();
    await status.getByText("RUNNING", { exact: true }).waitFor();

    const published = api.commands.published.length;
    await page.locator("#terminate-button").click();
    await page.getByLabel("Type the instance id to terminate this worker").fill("i-0123456789abcdef0");
    await page.getByRole("button", { name: "Terminate worker" }).click();
    await page.locator(".terminate-confirm .error").getByText("must be the worker's instance id").waitFor();
    expect(api.commands.published.length).toBe(published);
    await page.getByLabel("Type the instance id to terminate this worker").fill(target.instanceId);
    await page.getByRole("button", { name: "Terminate worker" }).click();
    await status.getByText("SHUTTING_DOWN", { exact: true }).waitFor();
    expect(await page.locator(".lifecycle .transition").textContent()).toBe("Shutting down…");
    expect(await page.locator(".terminate-confirm").isHidden()).toBe(true);
    ec2.release();
    await status.getByText("TERMINATED", { exact: true }).waitFor();
    for (const action of ["start", "stop", "terminate"]) {
      expect(await page.locator(`#${action}-button`).isDisabled()).toBe(true);
    }
    expect(ec2.pending()).toBe(0);
    const lines = await page.locator(".events li").allTextContents();
    for (const name of ["stop requested", "start requested", "terminate requested"]) {
      expect(lines.some((line) => line.includes(name) && line.includes("by ops-team (operator)"))).toBe(true);
    }
    api.commands.onPublish = undefined;
    await page.getByRole("link", { name: "← Fleet" }).click();
    await page.waitForFunction(
      (id) => document.querySelector(`tr[data-id="${id}"] .col-status`)?.textContent === "TERMINATED",
      target.id,
    );
    await page.context().close();
  });

  it("shows the fleet's month-to-date cost and idle-stop savings in the summary bar", async () => {
    const month = new Date().toISOString().slice(0, 7);
    // 10 h run and 5 h saved this month at $3.9641/h: $39.64 and $19.82; the other workers ran 0 h this month.
    api.readModel.upsert(
      aWorkerState({
        region: "us-east-1",
        name: "lab-costed",
        status: "STOPPED",
        usage: { month, runningSeconds: 36_000, idleStopSavedSeconds: 18_000 },
      }),
    );
    api.readModel.upsert(aWorkerState({ name: "lab-unpriced", instanceType: "m5.24xlarge" }));
    const page = await openPage(TEST_TOKENS.viewer);
    await page.locator(".summary-cost .summary-count").getByText("$39.64").waitFor();
    expect(await page.locator(".summary-cost").textContent()).toBe(
      "$39.64 this month (1 worker without a known price)",
    );
    expect(await page.locator(".summary-saved").textContent()).toBe("$19.82 saved by idle stop");
    await page.context().close();
  });

  it("shows a viewer no refresh, start, stop or terminate button", async () => {
    const page = await openWorkerPage(TEST_TOKENS.viewer, workers[2] as WorkerState);
    await page.waitForFunction(() => document.getElementById("principal")?.textContent?.includes("viewer"));
    expect(await page.locator("#refresh-button").isHidden()).toBe(true);
    for (const action of ["start", "stop", "terminate"]) {
      expect(await page.locator(`#${action}-button`).isHidden()).toBe(true);
    }
    await page.context().close();
  });

  it("re-reads the fleet when the feed says reset: the stream no longer holds its Last-Event-ID", async () => {
    const page = await openPage(TEST_TOKENS.operator);
    await page.locator("tbody tr").first().waitFor();
    await waitForLive(page);
    const told = workers[5] as WorkerState;
    workers[5] = publishCpu(told, 44.4);
    await page.waitForFunction(
      (id) => document.querySelector(`tr[data-id="${id}"] .col-cpu`)?.textContent === "44.4 %",
      told.id,
    );
    // While the browser is away, a change happens whose event the stream will not hold when it comes back.
    const untold = withCpu(workers[6] as WorkerState, 66.6, Date.now());
    workers[6] = untold;
    api.readModel.upsert(untold);
    api.feed.recreate();
    api.hub.closeAll("server_shutdown");
    await page.waitForFunction(
      (id) => document.querySelector(`tr[data-id="${id}"] .col-cpu`)?.textContent === "66.6 %",
      untold.id,
    );
    await waitForLive(page);
    expect(await cpuOf(page, told.id)).toBe("44.4 %");
    await page.context().close();
  });

  it("judges staleness by the collection intervals the API is configured with", async () => {
    const synced = demoWorker(LARGE_FLEET_SIZE + 2, Date.now());
    const fiveMinutesAgo = new Date(Date.now() - 300_000).toISOString();
    const quiet = {
      ...synced,
      cmlMetrics: {
        ...synced.cmlMetrics,
        lastSyncedAt: fiveMinutesAgo,
        lastObservedAt: fiveMinutesAgo,
        lastError: null,
      },
    };
    api.readModel.upsert(quiet);
    const page = await openPage(TEST_TOKENS.viewer);
    const cml = page.locator(`tr[data-id="${quiet.id}"] .col-updated span`).nth(2);
    await cml.waitFor();
    // CML is collected every 600 s here: 5 min is fresh (with the 60 s the page used to assume, it was stale).
    expect(await cml.getAttribute("class")).toBe("age age-fresh");
    expect(await cml.textContent()).toBe("CML 5 min ago");
    await page.goto(`${base}/#/workers/${quiet.id}`);
    await page.locator(".source-cml .freshness").getByText("Up to date").waitFor();
    await page.context().close();
  });

  it("asks to sign in again when the token is revoked during a session, instead of retrying forever", async () => {
    const page = await openPage(TEST_TOKENS.viewer);
    await page.locator("tbody tr").first().waitFor();
    await waitForLive(page);
    api.revoke("viewer");
    try {
      api.hub.closeAll("server_shutdown");
      await page.locator("#auth").waitFor({ state: "visible" });
      expect(await page.locator("#auth-message").textContent()).toContain("refused the token");
      expect(await page.locator("#live-state").textContent()).toBe("signed out");
    } finally {
      api.restore("viewer");
    }
    await page.getByLabel("API token").fill(TEST_TOKENS.viewer);
    await page.getByRole("button", { name: "Use token" }).click();
    await waitForLive(page);
    await page.context().close();
  });

  it("tries a failed first load again by itself", async () => {
    let refused = 0;
    const page = await openPage(TEST_TOKENS.viewer, {
      expectedConsole: /status of 503/,
      beforeGoto: async (target) => {
        await target.route("**/api/v1/workers?limit=1000*", async (route) => {
          if (refused > 0) return await route.continue();
          refused += 1;
          await route.fulfill({
            status: 503,
            contentType: "application/problem+json",
            body: JSON.stringify({
              type: "https://cml-telemetry.dev/problems/service-unavailable",
              title: "Service unavailable",
              status: 503,
              detail: "not ready: worker_cache",
            }),
          });
        });
      },
    });
    await page.locator("#load-alert").getByText("not ready: worker_cache").waitFor();
    await page.locator("tbody tr").first().waitFor({ timeout: 10_000 });
    expect(await page.locator("#load-alert").isHidden()).toBe(true);
    expect(refused).toBe(1);
    await waitForLive(page);
    await page.context().close();
  });

  it("registers a worker from the fleet page, for operators only", async () => {
    const viewer = await openPage(TEST_TOKENS.viewer);
    await viewer.locator("tbody tr").first().waitFor();
    expect(await viewer.locator("#register-view").isHidden()).toBe(true);
    await viewer.context().close();

    const page = await openPage(TEST_TOKENS.operator, { expectedConsole: /status of 400/ });
    await waitForLive(page);
    const registered = aWorkerState({
      region: "eu-west-1",
      instanceId: "i-0fedcba9876543210",
      name: "lab-new",
    });
    api.commands.onPublish = (published) => {
      if (published.kind !== "register") return;
      setTimeout(() => {
        api.readModel.upsert({
          ...registered,
          httpsEndpoint: "https://cml-new.example.com",
          endpointPinned: true,
        });
        api.feed.append("registered", {
          workerId: registered.id,
          version: registered.version,
          observedAt: registered.updatedAt,
          region: registered.region,
          instanceId: registered.instanceId,
          name: registered.name,
          httpsEndpoint: "https://cml-new.example.com",
          createdBy: "ops-team",
        });
      }, 20);
    };
    await page.getByText("Register a worker").click();
    await page.locator("#register-region").fill("eu-west-1");
    await page.locator("#register-instance").fill("i-0fedcba9876543210");
    await page.getByLabel("Name (optional)").fill("lab-new");
    await page.getByLabel("HTTPS endpoint (optional)").fill("https://cml-new.example.com");
    await page.getByRole("button", { name: "Register", exact: true }).click();
    await page.locator(".register-result").getByText("Registered i-0fedcba9876543210").waitFor();
    expect(api.commands.published.at(-1)).toMatchObject({
      kind: "register",
      command: {
        workerId: registered.id,
        region: "eu-west-1",
        instanceId: "i-0fedcba9876543210",
        name: "lab-new",
        httpsEndpoint: "https://cml-new.example.com",
        requestedBy: "ops-team",
      },
    });
    await page.locator(`tr[data-id="${registered.id}"]`).waitFor();
    await page.locator("#register-region").fill("eu-west-1");
    await page.locator("#register-instance").fill("i-0fedcba9876543210");
    await page.getByLabel("HTTPS endpoint (optional)").fill("http://not-https.example.com");
    await page.getByRole("button", { name: "Register", exact: true }).click();
    await page.locator(".register-result.error").getByText("https_endpoint").waitFor();
    api.commands.onPublish = undefined;
    await page.context().close();
  });

  it("shows a run of identical metrics updates of a worker as one line, counting on live", async () => {
    const target = workers[7] as WorkerState;
    for (let step = 1; step <= 25; step++) {
      const at = new Date(Date.now() - (26 - step) * 60_000).toISOString();
      const event = metricsUpdatedEvent("ec2", { ...target, version: target.version + step, updatedAt: at });
      api.feed.append(event.name, event.data);
    }
    const page = await openPage(TEST_TOKENS.viewer, { path: `/#/workers/${target.id}` });
    const first = page.locator(".events li").first();
    await first.getByText("×25, unchanged").waitFor();
    expect(await first.getAttribute("data-count")).toBe("25");
    await waitForLive(page);
    const next = metricsUpdatedEvent("ec2", {
      ...target,
      version: target.version + 26,
      updatedAt: new Date().toISOString(),
    });
    api.feed.append(next.name, next.data);
    await first.getByText("×26, unchanged").waitFor();
    await page.context().close();
  });

  it("serves the API docs page working under its content security policy", async () => {
    const page = await openPage(null, { path: "/api/v1/docs" });
    await page.waitForFunction(() => document.querySelectorAll("#ops details").length >= 10);
    expect(await page.locator("header a").getAttribute("href")).toBe("/api/v1/openapi.json");
    await page.context().close();
  });

  it("applies live updates to 1,000 workers in under 100 ms each", async () => {
    const now = Date.now();
    for (let index = DEMO_FLEET_SIZE; index < LARGE_FLEET_SIZE; index++) {
      const worker = demoWorker(index, now);
      workers.push(worker);
      api.readModel.upsert(worker);
    }
    const page = await openPage(TEST_TOKENS.operator);
    await page.waitForFunction(
      (size) => document.querySelectorAll("tbody tr").length === size,
      api.readModel.size(),
    );
    await waitForLive(page);
    await page.evaluate(() => performance.clearMeasures("fleet-update"));

    const single: number[] = [];
    for (let round = 0; round < 40; round++) {
      const index = (round * 23) % LARGE_FLEET_SIZE;
      const cpu = 50 + round / 10;
      workers[index] = publishCpu(workers[index] as WorkerState, cpu);
      await page.waitForFunction(
        ({ id, text }) => document.querySelector(`tr[data-id="${id}"] .col-cpu`)?.textContent === text,
        { id: (workers[index] as WorkerState).id, text: `${cpu.toFixed(1)} %` },
      );
    }
    single.push(
      ...(await page.evaluate(() =>
        performance.getEntriesByName("fleet-update").map((entry) => entry.duration),
      )),
    );
    const latency = await page.evaluate(() =>
      performance.getEntriesByName("fleet-event-to-render").map((entry) => entry.duration),
    );
    await page.evaluate(() => performance.clearMeasures("fleet-update"));

    for (let index = 0; index < 300; index++)
      workers[index] = publishCpu(workers[index] as WorkerState, 12.5);
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll("tbody tr .col-cpu")].filter((cell) => cell.textContent === "12.5 %")
          .length >= 300,
    );
    const burst = await page.evaluate(() =>
      performance.getEntriesByName("fleet-update").map((entry) => entry.duration),
    );
    expect(burst.length).toBeGreaterThanOrEqual(1);
    const stats = (values: number[]) => {
      const sorted = [...values].sort((a, b) => a - b);
      const mean = sorted.reduce((sum, value) => sum + value, 0) / Math.max(1, sorted.length);
      const p95 = percentile95(values);
      return `n=${sorted.length} mean=${mean.toFixed(1)} ms p95=${p95.toFixed(1)} ms max=${(sorted.at(-1) ?? 0).toFixed(1)} ms`;
    };
    console.log(`dashboard live update, ${api.readModel.size()} workers, single events: ${stats(single)}`);
    console.log(
      `dashboard live update, ${api.readModel.size()} workers, burst of 300 events: ${stats(burst)}`,
    );
    console.log(`dashboard event received → row updated (incl. re-fetch), single events: ${stats(latency)}`);
    await page.screenshot({ path: `${RESULTS_DIR}dashboard-fleet-1000.png` });
    expect(single.length).toBeGreaterThanOrEqual(1);
    expect(latency.length).toBe(40);
    // The 95th percentile, so one scheduling hiccup of a busy test machine does not fail the run.
    expect(percentile95(single)).toBeLessThan(100);
    expect(percentile95(burst)).toBeLessThan(100);
    await page.context().close();
  });

  it("logged no console errors", () => {
    expect(consoleErrors).toEqual([]);
  });
});
