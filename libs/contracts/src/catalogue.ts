import { commands } from "./commands.ts";
import { domainEvents } from "./domain-events.ts";
import { historyQueries } from "./history-query.ts";
import type { MessageDefinition } from "./message-definition.ts";
import { opsEvents } from "./ops-events.ts";
import { telemetry } from "./telemetry.ts";

/** Every message of the contract. */
export const MESSAGE_CATALOGUE: readonly MessageDefinition[] = [
  ...Object.values(commands),
  ...Object.values(telemetry),
  ...Object.values(domainEvents),
  ...Object.values(opsEvents),
  ...Object.values(historyQueries),
];

const byType = new Map<string, MessageDefinition>(
  MESSAGE_CATALOGUE.map((definition) => [definition.type, definition]),
);

/** The definition of a CloudEvent type, if the contract has it. */
export function definitionOfType(type: string): MessageDefinition | undefined {
  return byType.get(type);
}
