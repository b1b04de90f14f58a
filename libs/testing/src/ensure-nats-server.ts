import { execFileSync, spawnSync } from "node:child_process";

const INSTALL_HINT = "apt-get update && apt-get install -y nats-server";

/** Finds `nats-server` on PATH (or `NATS_SERVER_BIN`), installing it with apt when running as root; returns its path. */
export function ensureNatsServer(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env.NATS_SERVER_BIN;
  if (explicit) return explicit;
  const found = which("nats-server");
  if (found) return found;
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  if (isRoot && which("apt-get")) {
    process.stderr.write(`nats-server not found: installing it (${INSTALL_HINT})\n`);
    execFileSync("sh", ["-c", `${INSTALL_HINT} >/dev/null`], { stdio: ["ignore", "ignore", "inherit"] });
    const installed = which("nats-server");
    if (installed) return installed;
  }
  throw new Error(`nats-server is not installed. Install it with: ${INSTALL_HINT} (or set NATS_SERVER_BIN)`);
}

function which(command: string): string | undefined {
  for (const dir of ["", "/usr/sbin/", "/usr/bin/", "/usr/local/bin/"]) {
    const candidate = dir === "" ? command : `${dir}${command}`;
    const probe = spawnSync(
      dir === "" ? "sh" : "test",
      dir === "" ? ["-c", `command -v ${command}`] : ["-x", candidate],
      {
        encoding: "utf8",
      },
    );
    if (probe.status === 0) return dir === "" ? probe.stdout.trim() : candidate;
  }
  return undefined;
}
