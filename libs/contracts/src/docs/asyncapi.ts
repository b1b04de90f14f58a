import { MESSAGE_CATALOGUE } from "../catalogue.ts";
import type { MessageDefinition } from "../message-definition.ts";
import { createTopology } from "../topology.ts";
import { cloudEventJsonSchema } from "./json-schemas.ts";

const PARAMETER_DESCRIPTIONS: Record<string, string> = {
  workerId: "Worker id (UUID v5 of `<region>/<instanceId>`)",
  region: "AWS region",
  source: "Telemetry source: ec2, cloudwatch or cml",
  service: "Publishing service",
};

function channelId(address: string): string {
  return address
    .replace(/\{[^}]+\}/g, "")
    .split(/[.-]/)
    .filter((part) => part !== "" && part !== "cml")
    .map((part, index) => (index === 0 ? part : part[0]?.toUpperCase() + part.slice(1)))
    .join("")
    .replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

function messageId(definition: MessageDefinition): string {
  return definition.type
    .replace(/^io\.cml-telemetry\./, "")
    .replace(/\.v\d+$/, "")
    .replace(/[._]([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
}

/** Builds the AsyncAPI 3.0 document of every channel and message of the contract. */
export function buildAsyncApiDocument(version: string): Record<string, unknown> {
  const topology = createTopology();
  const channels: Record<string, Record<string, unknown>> = {};
  const operations: Record<string, Record<string, unknown>> = {};
  const messages: Record<string, Record<string, unknown>> = {};
  for (const definition of MESSAGE_CATALOGUE) {
    const id = messageId(definition);
    const { $schema: _ignored, ...payload } = cloudEventJsonSchema(definition);
    messages[id] = {
      name: id,
      title: definition.type,
      summary: definition.description,
      contentType: "application/cloudevents+json",
      payload,
      examples: [
        { name: "example", payload: { specversion: "1.0", type: definition.type, data: definition.example } },
      ],
    };
    const chId = channelId(definition.channel);
    const channel = channels[chId] ?? {
      address: definition.channel,
      description: streamOf(definition.channel, topology),
      messages: {},
      ...parametersOf(definition.channel),
    };
    (channel.messages as Record<string, unknown>)[id] = { $ref: `#/components/messages/${id}` };
    channels[chId] = channel;
  }
  for (const [chId, channel] of Object.entries(channels)) {
    const isQuery = String(channel.address).startsWith("cml.svc.");
    const refs = Object.keys(channel.messages as Record<string, unknown>).map((id) => ({
      $ref: `#/channels/${chId}/messages/${id}`,
    }));
    if (isQuery) {
      const [request, reply] = refs;
      operations.answerHistoryQuery = {
        action: "receive",
        title: "Answer a history query (request/reply, served by metrics-history as a queue group)",
        channel: { $ref: `#/channels/${chId}` },
        messages: [request],
        reply: { channel: { $ref: `#/channels/${chId}` }, messages: [reply] },
      };
      continue;
    }
    operations[`publish${chId[0]?.toUpperCase()}${chId.slice(1)}`] = {
      action: "send",
      channel: { $ref: `#/channels/${chId}` },
      messages: refs,
    };
  }
  return {
    asyncapi: "3.0.0",
    info: {
      title: "cml-telemetry messages",
      version,
      description:
        "Commands, per-source telemetry, worker domain events and ops events of cml-telemetry, as CloudEvents 1.0 (structured JSON) on NATS JetStream. Generated from libs/contracts; do not edit.",
    },
    defaultContentType: "application/cloudevents+json",
    servers: {
      local: { host: "127.0.0.1:4222", protocol: "nats", description: "Embedded default (npm start)" },
    },
    channels,
    operations,
    components: { messages },
  };
}

function parametersOf(address: string): Record<string, unknown> {
  const names = [...address.matchAll(/\{([^}]+)\}/g)].map((match) => match[1] as string);
  if (names.length === 0) return {};
  return {
    parameters: Object.fromEntries(
      names.map((name) => [name, { description: PARAMETER_DESCRIPTIONS[name] ?? name }]),
    ),
  };
}

function streamOf(address: string, topology: ReturnType<typeof createTopology>): string {
  for (const stream of Object.values(topology.streams)) {
    const prefix = (stream.subjects[0] ?? "").replace(/>$/, "");
    if (address.startsWith(prefix)) return `Stream ${stream.name}: ${stream.description}`;
  }
  return "NATS request/reply (not stored)";
}
