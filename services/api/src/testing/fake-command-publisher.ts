import type { CollectCommand, RegisterWorkerCommand, Source } from "@cml-telemetry/contracts";
import type { CommandPublisher } from "../ports.ts";

/** A command the fake recorded. */
export type PublishedCommand =
  | { kind: "collect"; source: Source; command: CollectCommand; correlationId: string }
  | { kind: "register"; command: RegisterWorkerCommand; correlationId: string };

/** In-memory command publisher: records commands, can fail, and can react (e.g. emit the answering events). */
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
  const fake: FakeCommandPublisher = {
    published: [],
    onPublish: undefined,
    failWith(error) {
      failure = error;
    },
    async collect(source, command, correlationId) {
      if (failure) throw failure;
      const entry: PublishedCommand = { kind: "collect", source, command, correlationId };
      fake.published.push(entry);
      fake.onPublish?.(entry);
    },
    async register(command, correlationId) {
      if (failure) throw failure;
      const entry: PublishedCommand = { kind: "register", command, correlationId };
      fake.published.push(entry);
      fake.onPublish?.(entry);
    },
  };
  return fake;
}
