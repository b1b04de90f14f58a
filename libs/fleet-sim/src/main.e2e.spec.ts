import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { DescribeInstancesCommand, EC2Client } from "@aws-sdk/client-ec2";
import { afterAll, describe, expect, it } from "vitest";
import { awsClientConfig } from "./testing/aws-client-config.ts";

const children: ChildProcess[] = [];
const dirs: string[] = [];

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe("fleet-sim main", () => {
  it("prints one ready line, serves the fleet and stops cleanly on SIGTERM", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "fleet-sim-"));
    dirs.push(dataDir);
    const child = spawn(process.execPath, [join(import.meta.dirname, "main.ts")], {
      env: { ...process.env, FLEET_SIM_PORT: "0", FLEET_SIM_WORKERS: "4", FLEET_SIM_DATA_DIR: dataDir },
      stdio: ["ignore", "pipe", "inherit"],
    });
    children.push(child);
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    const first = await new Promise<string>((resolve) => lines.once("line", resolve));
    const ready = JSON.parse(first) as { event: string; url: string; caFile: string; workers: number };
    expect(ready).toMatchObject({
      event: "fleet-sim.ready",
      workers: 4,
      caFile: join(dataDir, "cml-ca.pem"),
      cmlServerName: "cml-controller.fleet-sim.example",
    });
    expect(await readFile(ready.caFile, "utf8")).toMatch(/BEGIN CERTIFICATE/);
    const out = await new EC2Client(awsClientConfig(ready.url, "us-east-1", 1)).send(
      new DescribeInstancesCommand({ Filters: [{ Name: "tag-key", Values: ["cml:worker"] }] }),
    );
    expect(out.Reservations).toHaveLength(2);
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  });

  it("refuses a bad configuration with a clear message", async () => {
    const child = spawn(process.execPath, [join(import.meta.dirname, "main.ts")], {
      env: { ...process.env, FLEET_SIM_PORT: "99999" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    children.push(child);
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(code).toBe(1);
    expect(stderr).toMatch(/FLEET_SIM_PORT/);
  });
});
