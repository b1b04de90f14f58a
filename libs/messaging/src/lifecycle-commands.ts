import {
  commands,
  createEvent,
  type LifecycleCommand,
  lifecycleMsgId,
  type ServiceName,
  subjects,
} from "@cml-telemetry/contracts";
import type { JetStreamClient, PubAck } from "@nats-io/jetstream";
import { publishEvent } from "./publish.ts";

/**
 * Publishes a lifecycle command (DESIGN §11) on `cml.cmd.lifecycle.<action>.<workerId>` with `Nats-Msg-Id` and
 * CloudEvent id `lifecycle:<workerId>:<action>:<requestId>`, so a repeat is dropped and worker-lifecycle executes the
 * request once. The api publishes operators' requests with it, worker-lifecycle the idle policy's.
 * @throws ValidationError when the command does not match the contract.
 * @example await publishLifecycleCommand(js, { workerId, region, instanceId, action: "stop", requestedBy: "alice", reason: "operator", dryRun: false, requestId }, { source: "api", correlationId: requestId });
 */
export async function publishLifecycleCommand(
  js: JetStreamClient,
  command: LifecycleCommand,
  options: { source: ServiceName; correlationId?: string | undefined; time?: Date },
): Promise<PubAck> {
  const id = lifecycleMsgId(command.workerId, command.action, command.requestId);
  const event = createEvent(commands.lifecycle, {
    source: options.source,
    subject: command.workerId,
    id,
    data: command,
    correlationId: options.correlationId,
    ...(options.time ? { time: options.time } : {}),
  });
  return await publishEvent(js, subjects.lifecycle(command.action, command.workerId), event);
}
