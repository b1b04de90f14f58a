import { isAwsService } from "../aws/aws-service.ts";
/** One control-API request the CLI makes. */
export interface CliRequest {
  method: "GET" | "POST" | "PATCH" | "DELETE";
  path: string;
  body?: Record<string, unknown>;
}

/** Thrown for CLI usage errors; the message says what was wrong. */
export class CliUsageError extends Error {
  readonly code = "CLI_USAGE";
}

/** The CLI's help text. */
export const CLI_USAGE = `Usage: fleet-sim <command>   (control API at $FLEET_SIM_URL, default http://127.0.0.1:4566)

  list [region]                         instances with state, agent, monitoring and CML endpoint
  get <instanceId|name>                 one instance as JSON (with its CML server)
  set <instanceId|name> key=value ...   change an instance:
        state=<pending|running|stopping|stopped|shutting-down|terminated>  (immediate)
        action=<start|stop|terminate|reboot>                              (through AWS's intermediate states)
        cpu=<0-100|auto> memory=<0-100|auto>
        agent=<none|instance-id|instance-image-type|instance-image-type-asg>
        monitoring=<on|off> type=<instanceType> status=<ok|impaired|...|auto> system=<...|auto>
        tag.<Key>=<value> (empty value removes the tag) cml=<on|off>
        cml.mode=<up|down|booting|slow|bad-credentials|malformed> cml.version=<v> cml.ready=<true|false>
        cml.slowMs=<ms> cml.cpuPercent=<n> ...   (any CML server spec field)
  start|stop|terminate|reboot <instanceId|name>
  add <region> [name=<Name>] [worker=<true|false>] [state=...] [agent=...] [monitoring=on|off] [cml=on|off]
  remove <instanceId|name>
  faults                                 active faults
  faults throttle|error|deny <ec2|cloudwatch|pricing> [Action] [count] [region=<r>] [for=<seconds>]
  faults latency <ec2|cloudwatch|pricing> <ms> [Action] [region=<r>] [for=<seconds>]
  faults clear | faults remove <id>
  calls | calls reset                    AWS and CML call counters
  clock [+<seconds>]                     simulated time; +N moves it N seconds forward
  image <imageId> <available|deregistered|unshared> [region]   deregister or unshare an AMI`;

const INSTANCE_KEYS: Record<string, string> = {
  state: "state",
  action: "action",
  cpu: "cpuOverride",
  memory: "memoryOverride",
  agent: "agent",
  monitoring: "detailedMonitoring",
  type: "instanceType",
  status: "instanceStatusOverride",
  system: "systemStatusOverride",
  cml: "cml",
};

/** Turns CLI arguments into the control-API request to make (pure; no I/O). */
export function planCliRequest(args: readonly string[]): CliRequest {
  const [command, ...rest] = args;
  switch (command) {
    case "list":
      return { method: "GET", path: rest[0] ? `/fleet?region=${encodeURIComponent(rest[0])}` : "/fleet" };
    case "get":
      return { method: "GET", path: `/instances/${ref(rest[0])}` };
    case "set":
      return planSet(ref(rest[0]), rest.slice(1));
    case "start":
    case "stop":
    case "terminate":
    case "reboot":
      return { method: "PATCH", path: `/instances/${ref(rest[0])}`, body: { action: command } };
    case "add":
      return planAdd(rest);
    case "remove":
      return { method: "DELETE", path: `/instances/${ref(rest[0])}` };
    case "faults":
      return planFaults(rest);
    case "calls":
      if (rest[0] === "reset") return { method: "DELETE", path: "/calls" };
      return { method: "GET", path: "/calls" };
    case "clock":
      return planClock(rest[0]);
    case "image":
      return planImage(rest);
    default:
      throw new CliUsageError(command ? `Unknown command "${command}"` : "No command given");
  }
}

function planClock(move: string | undefined): CliRequest {
  if (move === undefined) return { method: "GET", path: "/clock" };
  const seconds = Number(move.replace(/^\+/, ""));
  if (!move.startsWith("+") || !Number.isFinite(seconds) || seconds < 0)
    throw new CliUsageError(`clock takes +<seconds>, got "${move}"`);
  return { method: "POST", path: "/clock", body: { advanceSeconds: seconds } };
}

function planImage([imageId, state, region]: readonly string[]): CliRequest {
  if (!imageId || !state) throw new CliUsageError("image takes <imageId> <available|deregistered|unshared>");
  return {
    method: "PATCH",
    path: `/images/${encodeURIComponent(imageId)}`,
    body: region ? { state, region } : { state },
  };
}

function ref(value: string | undefined): string {
  if (!value) throw new CliUsageError("Missing <instanceId|name>");
  return encodeURIComponent(value);
}

function pairs(args: readonly string[]): Array<[string, string]> {
  return args.map((arg) => {
    const at = arg.indexOf("=");
    if (at <= 0) throw new CliUsageError(`Expected key=value, got "${arg}"`);
    return [arg.slice(0, at), arg.slice(at + 1)];
  });
}

function planSet(instance: string, args: readonly string[]): CliRequest {
  if (args.length === 0) throw new CliUsageError("Nothing to set");
  const patch: Record<string, unknown> = {};
  const tags: Record<string, string | null> = {};
  const cml: Record<string, unknown> = {};
  for (const [key, value] of pairs(args)) {
    if (key.startsWith("tag.")) tags[key.slice(4)] = value === "" ? null : value;
    else if (key.startsWith("cml.")) cml[key.slice(4)] = scalar(value);
    else if (INSTANCE_KEYS[key]) patch[INSTANCE_KEYS[key]] = instanceValue(key, value);
    else throw new CliUsageError(`Unknown setting "${key}"`);
  }
  if (Object.keys(tags).length > 0) patch.tags = tags;
  if (Object.keys(cml).length > 0 && Object.keys(patch).length > 0) {
    throw new CliUsageError("Set cml.* settings in a separate command from instance settings");
  }
  if (Object.keys(cml).length > 0) return { method: "PATCH", path: `/instances/${instance}/cml`, body: cml };
  return { method: "PATCH", path: `/instances/${instance}`, body: patch };
}

function instanceValue(key: string, value: string): unknown {
  switch (key) {
    case "cpu":
    case "memory": {
      if (value === "auto") return null;
      const n = Number(value);
      if (!Number.isFinite(n)) throw new CliUsageError(`${key} must be a number or "auto"`);
      return n;
    }
    case "status":
    case "system":
      return value === "auto" ? null : value;
    case "monitoring":
    case "cml":
      return onOff(key, value);
    default:
      return value;
  }
}

function planAdd(args: readonly string[]): CliRequest {
  const [region, ...rest] = args;
  if (!region || region.includes("=")) throw new CliUsageError("add needs a region first");
  const body: Record<string, unknown> = { region };
  const tags: Record<string, string> = {};
  for (const [key, value] of pairs(rest)) {
    if (key === "name") tags.Name = value;
    else if (key === "worker") body.worker = onOff(key, value);
    else if (key === "monitoring") body.detailedMonitoring = onOff(key, value);
    else if (key === "cml") body.cml = onOff(key, value);
    else if (key === "state" || key === "agent" || key === "type")
      body[key === "type" ? "instanceType" : key] = value;
    else if (key.startsWith("tag.")) tags[key.slice(4)] = value;
    else throw new CliUsageError(`Unknown setting "${key}"`);
  }
  body.tags = tags;
  return { method: "POST", path: "/instances", body };
}

function planFaults(args: readonly string[]): CliRequest {
  const [sub, ...rest] = args;
  if (sub === undefined) return { method: "GET", path: "/faults" };
  if (sub === "clear") return { method: "DELETE", path: "/faults" };
  if (sub === "remove") return { method: "DELETE", path: `/faults/${ref(rest[0])}` };
  if (sub !== "throttle" && sub !== "error" && sub !== "latency" && sub !== "deny")
    throw new CliUsageError(`Unknown faults command "${sub}"`);
  const [service, ...tail] = rest;
  if (!isAwsService(service)) throw new CliUsageError("Service must be ec2, cloudwatch or pricing");
  const body: Record<string, unknown> = { service, kind: sub };
  const positional = tail.filter((arg) => !arg.includes("="));
  if (sub === "latency") {
    const ms = Number(positional.shift());
    if (!Number.isFinite(ms) || ms < 0) throw new CliUsageError("latency needs <ms>");
    body.latencyMs = ms;
  }
  for (const arg of positional) {
    if (/^\d+$/.test(arg)) body.count = Number(arg);
    else body.action = arg;
  }
  for (const [key, value] of pairs(tail.filter((arg) => arg.includes("=")))) {
    if (key === "region") body.region = value;
    else if (key === "for") body.durationMs = Number(value) * 1000;
    else throw new CliUsageError(`Unknown fault option "${key}"`);
  }
  return { method: "POST", path: "/faults", body };
}

function onOff(key: string, value: string): boolean {
  if (["on", "true", "yes", "1"].includes(value)) return true;
  if (["off", "false", "no", "0"].includes(value)) return false;
  throw new CliUsageError(`${key} must be on or off`);
}

function scalar(value: string): unknown {
  if (value === "true" || value === "false") return value === "true";
  if (value !== "" && Number.isFinite(Number(value))) return Number(value);
  return value;
}
