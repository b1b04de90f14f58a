import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describeOrSkip, type RunningSystem, startSystem, waitFor } from "@cml-telemetry/testing";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { CHROMIUM_ARGS, findChromium, requireChromium } from "./ensure-chromium.ts";

const chromiumBinary = findChromium();

const RESULTS_DIR = fileURLToPath(new URL("../test-results/", import.meta.url));

interface ListedWorker {
  id: string;
  name: string | null;
  status: string;
  ec2_metrics: { last_checked_at: string | null };
}

async function getJson<T>(url: string, init: RequestInit = {}): Promise<{ status: number; body: T }> {
  const response = await fetch(url, init);
  const text = await response.text();
  if (!response.ok) throw new Error(`${init.method ?? "GET"} ${url} answered ${response.status}: ${text}`);
  return { status: response.status, body: JSON.parse(text) as T };
}

describeOrSkip(
  "dashboard on the whole system (fleet simulator, processes)",
  chromiumBinary.skipReason,
  () => {
    let system: RunningSystem;
    let browser: Browser;
    let page: Page;
    let workers: ListedWorker[] = [];
    const consoleErrors: string[] = [];

    /** Sets the simulated CPU of an instance; CloudWatch reports it from the next collection on. */
    async function setSimulatedCpu(name: string, cpu: number): Promise<void> {
      const response = await fetch(`${system.simUrl}/_sim/instances/${name}`, {
        method: "PATCH",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ cpuOverride: cpu }),
      });
      if (!response.ok) throw new Error(`simulator PATCH ${name} answered ${response.status}`);
    }

    beforeAll(async () => {
      mkdirSync(RESULTS_DIR, { recursive: true });
      system = await startSystem({
        env: {
          COLLECT_INTERVAL_EC2_SECONDS: "10",
          COLLECT_INTERVAL_CML_SECONDS: "10",
          COLLECT_INTERVAL_CLOUDWATCH_SECONDS: "60",
          DISCOVERY_INTERVAL_SECONDS: "15",
        },
        simEnv: { FLEET_SIM_WORKERS: "6", FLEET_SIM_CHURN_SECONDS: "0", FLEET_SIM_BOOT_SECONDS: "3" },
      });
      workers = await waitFor(
        async () => {
          const { body } = await getJson<{ items: ListedWorker[] }>(
            `${system.apiUrl}/api/v1/workers?limit=1000`,
          );
          const running = body.items.filter((worker) => worker.status === "RUNNING");
          return running.length > 1 && running.every((worker) => worker.ec2_metrics.last_checked_at)
            ? body.items
            : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 500, what: "running workers with EC2 status checks" },
      );
      browser = await chromium.launch({
        executablePath: requireChromium(chromiumBinary),
        headless: true,
        args: CHROMIUM_ARGS,
      });
      page = await browser.newPage({ viewport: { width: 1360, height: 860 } });
      page.on("console", (message) => {
        if (message.type() === "error") consoleErrors.push(message.text());
      });
      page.on("pageerror", (error) => consoleErrors.push(error.message));
    }, 120_000);

    afterAll(async () => {
      await browser?.close();
      await system?.stop();
    });

    it("lists the simulated fleet and shows a collected change live", async () => {
      await page.goto(`${system.apiUrl}/`);
      await page.waitForFunction(
        (count) => document.querySelectorAll("tbody tr").length === count,
        workers.length,
      );
      await page.waitForFunction(() => document.getElementById("live-state")?.textContent === "live");
      const target = workers.find((worker) => worker.status === "RUNNING" && worker.name) as ListedWorker;
      await setSimulatedCpu(target.name as string, 71.5);
      // Collected now by a refresh outside the page: only the event feed can bring the value to the row.
      const { status } = await getJson(`${system.apiUrl}/api/v1/workers/${target.id}/refresh?wait=20`, {
        method: "POST",
      });
      expect(status).toBe(200);
      await page.waitForFunction(
        (id) => document.querySelector(`tr[data-id="${id}"] .col-cpu`)?.textContent === "71.5 %",
        target.id,
        { timeout: 20_000 },
      );
      await page.screenshot({ path: `${RESULTS_DIR}dashboard-system-fleet.png` });
    }, 60_000);

    it("refreshes a worker from its page and charts its history from metrics-history", async () => {
      const target = workers.filter(
        (worker) => worker.status === "RUNNING" && worker.name,
      )[1] as ListedWorker;
      await page.locator(`tr[data-id="${target.id}"]`).click();
      await page
        .locator("#worker-title")
        .getByText(target.name ?? "")
        .waitFor();
      await setSimulatedCpu(target.name as string, 42.5);
      await page.getByRole("button", { name: "Refresh now" }).click();
      await page.waitForFunction(
        () =>
          document.querySelector('.progress [data-source="cloudwatch"]')?.className === "progress-updated",
        undefined,
        { timeout: 30_000 },
      );
      expect(await page.locator(".source-cloudwatch dd").first().textContent()).toBe("42.5 %");
      await page.getByRole("button", { name: "1 h" }).click();
      await page.waitForFunction(
        () => Number(document.getElementById("history-chart")?.dataset.points) > 0,
        undefined,
        {
          timeout: 20_000,
        },
      );
      expect(await page.locator("#history-chart canvas").count()).toBe(1);
      expect(await page.locator(".events li").count()).toBeGreaterThan(0);
      await page.screenshot({ path: `${RESULTS_DIR}dashboard-system-worker.png`, fullPage: true });
      expect(consoleErrors).toEqual([]);
    }, 60_000);
  },
);
