import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { natsClientPort, portIsFree } from "./ports.ts";

describe("natsClientPort", () => {
  it("reads the port nats-server chose for -p -1 from its log", () => {
    const log = [
      "[8688] 2026/12/03 14:05:50.903797 [INF]   Name:     NCTG",
      "[8688] 2026/12/03 14:05:50.904618 [INF] Listening for client connections on 127.0.0.1:37081",
      "[8688] 2026/12/03 14:05:50.904705 [INF] Server is ready",
    ].join("\n");
    expect(natsClientPort(log)).toBe(37081);
  });

  it("is undefined before the server listens", () => {
    expect(natsClientPort("[1] [INF] Starting nats-server\n")).toBeUndefined();
  });

  it("finds the port a real nats-server started with -p -1 listens on", async () => {
    const binary = [process.env.NATS_SERVER_BIN, "/usr/sbin/nats-server", "/usr/bin/nats-server"].find(
      (path) => path !== undefined && existsSync(path),
    );
    expect(binary, "nats-server is installed (npm test installs it)").toBeDefined();
    const child = spawn(binary as string, ["-a", "127.0.0.1", "-p", "-1"], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    let log = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      log += chunk.toString();
    });
    try {
      const deadline = Date.now() + 10_000;
      while (!log.includes("Server is ready") && Date.now() < deadline)
        await new Promise((done) => setTimeout(done, 20));
      const port = natsClientPort(log);
      expect(port).toBeGreaterThan(0);
      expect(await portIsFree(port as number)).toBe(false);
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((done) => child.once("exit", done));
        child.kill("SIGTERM");
        await exited;
      }
    }
  });
});

describe("portIsFree", () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise((done) => (server ? server.close(done) : done(undefined)));
    server = undefined;
  });

  it("is false while something listens on the port and true once it stopped", async () => {
    const listening = createServer();
    server = listening;
    await new Promise<void>((done) => listening.listen(0, "127.0.0.1", done));
    const address = listening.address();
    const port = typeof address === "object" && address ? address.port : 0;
    expect(await portIsFree(port)).toBe(false);
    await new Promise((done) => listening.close(done));
    server = undefined;
    expect(await portIsFree(port)).toBe(true);
  });
});
