import { formatFleetTable } from "./cli/format-fleet-table.ts";
import { CLI_USAGE, CliUsageError, planCliRequest } from "./cli/plan-cli-request.ts";

async function run(args: string[]): Promise<number> {
  if (args.length === 0 || args[0] === "help" || args[0] === "--help" || args[0] === "-h") {
    process.stdout.write(`${CLI_USAGE}\n`);
    return 0;
  }
  const base = (process.env.FLEET_SIM_URL ?? "http://127.0.0.1:4566").replace(/\/+$/, "");
  const plan = planCliRequest(args);
  let response: Response;
  try {
    response = await fetch(`${base}/_sim${plan.path}`, {
      method: plan.method,
      headers: plan.body ? { "content-type": "application/json" } : undefined,
      body: plan.body ? JSON.stringify(plan.body) : undefined,
    });
  } catch (error) {
    process.stderr.write(
      `Cannot reach the fleet simulator at ${base} (${String(error)}); set FLEET_SIM_URL.\n`,
    );
    return 2;
  }
  const payload: unknown = await response.json();
  if (!response.ok) {
    const problem = payload as { title?: string };
    process.stderr.write(`${response.status}: ${problem.title ?? JSON.stringify(payload)}\n`);
    return 1;
  }
  if (args[0] === "list")
    process.stdout.write(`${formatFleetTable(payload as Parameters<typeof formatFleetTable>[0])}\n`);
  else process.stdout.write(`${JSON.stringify(payload, null, 2)}\n`);
  return 0;
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof CliUsageError) process.stderr.write(`${error.message}\n\n${CLI_USAGE}\n`);
    else process.stderr.write(`${String(error)}\n`);
    process.exit(error instanceof CliUsageError ? 64 : 1);
  },
);
