import {
  type CollectCommand,
  commands,
  createEvent,
  type LifecycleCommand,
  type MessageDefinition,
  type RegisterWorkerCommand,
  type Source,
} from "@cml-telemetry/contracts";
import type { CommandPublisher } from "../ports.ts";

/** A command the fake recorded. */
export type PublishedCommand =
  | { kind: "collect"; source: Source; command: CollectCommand; correlationId: string }
  | { kind: "register"; command: RegisterWorkerCommand; correlationId: string }
  | { kind: "lifecycle"; command: LifecycleCommand; correlationId: string };

/**
 * In-memory command publisher: records commands (validated against their contract schemas, as publishing them
 * would), can fail, and can react (e.g. emit the answering events).
 */
export interface FakeCommandPublisher extends CommandPublisher {
  readonly published: PublishedCommand[];
  /** Makes every later publish reject with `error` (undefined = succeed again). */
  failWith(error: Error | undefined): void;
  /** Called after each recorded publish. */
  onPublish: ((command: PublishedCommand) => void) | undefined;
}

/** Creates a {@link FakeCommandPublisher}. */
export function createFakeCommandPublisher(): FakeCommandPublisher {
  let failure: Error | undefined;
  const record = (entry: PublishedCommand) => {
    if (failure) throw failure;
    createEvent(commands[entry.kind] as MessageDefinition, { source: "api", data: entry.command });
    fake.published.push(entry);
    fake.onPublish?.(entry);
  };
  const fake: FakeCommandPublisher = {
    published: [],
    onPublish: undefined,
    failWith(error) {
      failure = error;
    },
    async collect(source, command, correlationId) {
      record({ kind: "collect", source, command, correlationId });
    },
    async register(command, correlationId) {
      record({ kind: "register", command, correlationId });
    },
    async lifecycle(command, correlationId) {
      record({ kind: "lifecycle", command, correlationId });
    },
  };
  return fake;
}
