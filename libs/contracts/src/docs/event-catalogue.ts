import { MESSAGE_CATALOGUE } from "../catalogue.ts";
import type { MessageKind } from "../message-definition.ts";
import { createTopology } from "../topology.ts";
import { dataJsonSchema } from "./json-schemas.ts";

const KIND_TITLES: Record<MessageKind, string> = {
  command: "Commands (stream CML_COMMANDS, work queue)",
  telemetry: "Telemetry (stream CML_TELEMETRY, one message per worker per source per collection)",
  domain: "Worker domain events (stream CML_WORKER_EVENTS) — what other systems subscribe to",
  ops: "Ops events (stream CML_OPS)",
  query: "History queries (NATS request/reply, not stored)",
};

function fieldsOf(schema: Record<string, unknown>): string {
  const properties = (schema.properties ?? {}) as Record<
    string,
    { type?: unknown; enum?: unknown[]; anyOf?: unknown[] }
  >;
  const required = new Set((schema.required ?? []) as string[]);
  const names = Object.keys(properties);
  if (names.length === 0) return "see the JSON Schema";
  return names.map((name) => (required.has(name) ? `\`${name}\`` : `\`${name}\`?`)).join(", ");
}

/** Markdown catalogue of every message, generated from the contracts. */
export function renderEventCatalogue(): string {
  const topology = createTopology();
  const lines = [
    "# Event catalogue",
    "",
    "Generated from `libs/contracts` (`npm run docs -w libs/contracts`); do not edit. Every message is a CloudEvent 1.0",
    "in structured JSON mode: `specversion`, `id` (also the `Nats-Msg-Id`), `source` (`/cml-telemetry/<service>`),",
    "`type`, `subject` (the worker id where there is one), `time`, `datacontenttype: application/json`, optional",
    "`correlationid` (carried from a refresh request through every command, telemetry and domain event it causes),",
    "and `data`. Consumers must ignore unknown fields; a breaking change gets a new `.vN` type. Machine-readable:",
    "[asyncapi.yaml](asyncapi.yaml) and [schemas/](schemas/).",
    "",
    "## Streams",
    "",
    "| stream | subjects | retention | max age | dedupe window |",
    "|---|---|---|---|---|",
    ...Object.values(topology.streams).map(
      (stream) =>
        `| \`${stream.name}\` | \`${stream.subjects.join(", ")}\` | ${stream.retention} | ${formatAge(stream.maxAgeSeconds)} | ${stream.duplicateWindowSeconds} s |`,
    ),
    ...Object.values(topology.kv).map(
      (bucket) =>
        `| KV \`${bucket.bucket}\` | key = ${bucket.key ?? "worker id"} | history ${bucket.history} | ${bucket.maxAgeSeconds === undefined ? "—" : formatAge(bucket.maxAgeSeconds)} | — |`,
    ),
    "",
  ];
  for (const kind of Object.keys(KIND_TITLES) as MessageKind[]) {
    lines.push(
      `## ${KIND_TITLES[kind]}`,
      "",
      "| type | subject | what | data fields (`?` optional) |",
      "|---|---|---|---|",
    );
    for (const definition of MESSAGE_CATALOGUE.filter((candidate) => candidate.kind === kind)) {
      lines.push(
        `| \`${definition.type}\` | \`${definition.channel}\` | ${definition.description.replaceAll("|", "\\|")} | ${fieldsOf(dataJsonSchema(definition))} |`,
      );
    }
    lines.push("");
  }
  return `${lines.join("\n")}`;
}

function formatAge(seconds: number): string {
  return seconds % 86_400 === 0
    ? `${seconds / 86_400} d`
    : seconds % 3600 === 0
      ? `${seconds / 3600} h`
      : `${seconds} s`;
}
