import { commands, createEvent, encodeEvent, lifecycleMsgId, subjects } from "@cml-telemetry/contracts";
import type { JetStreamClient } from "@nats-io/jetstream";
import type { CommandPublisher } from "../ports.ts";

/** Publishes commands to `CML_COMMANDS` and awaits the JetStream ack (`Nats-Msg-Id` = event id). */
export function createNatsCommandPublisher(
  js: JetStreamClient,
  options: { timeoutMs?: number } = {},
): CommandPublisher {
  const timeout = options.timeoutMs ?? 5_000;
  return {
    async collect(source, command, correlationId) {
      const event = createEvent(commands.collect, {
        source: "api",
        subject: command.workerId,
        data: command,
        correlationId,
      });
      await js.publish(subjects.collect(source, command.workerId), encodeEvent(event), {
        msgID: event.id,
        timeout,
      });
    },
    async register(command, correlationId) {
      const event = createEvent(commands.register, {
        source: "api",
        subject: command.workerId,
        data: command,
        correlationId,
      });
      await js.publish(subjects.register(command.workerId), encodeEvent(event), { msgID: event.id, timeout });
    },
    async lifecycle(command, correlationId) {
      const event = createEvent(commands.lifecycle, {
        id: lifecycleMsgId(command.workerId, command.action, command.requestId),
        source: "api",
        subject: command.workerId,
        data: command,
        correlationId,
      });
      await js.publish(subjects.lifecycle(command.action, command.workerId), encodeEvent(event), {
        msgID: event.id,
        timeout,
      });
    },
  };
}
