import type {
  CloudwatchMetrics,
  CmlMetrics,
  Ec2Action,
  Ec2Discovered,
  Ec2Status,
  IdlePolicyCommand,
  RegisterWorkerCommand,
  Source,
  SourceFailed,
} from "@cml-telemetry/contracts";

/** Fields every input to the worker Decider carries besides its data. */
interface CommandEnvelope {
  /** Id of the message it came from (CloudEvent id); a repeated id is applied once. */
  readonly inputId: string;
  /** Carried over onto every event the command produces. */
  readonly correlationId?: string | undefined;
  /** When the service received it (ISO 8601). */
  readonly receivedAt: string;
}

/** A source that could not be read, with the source it concerns. */
export type SourceFailedData = SourceFailed & { readonly source: Source };

/** Data of the idle-detection tick as the Decider sees it: the slot and the configured threshold. */
export interface DetectIdleData {
  readonly slot: number;
  readonly thresholdMinutes: number;
}

/**
 * Every input of the worker Decider: telemetry observations (the outcome of a lifecycle request among them),
 * registration, the idle tick and the idle auto-stop policy's skips.
 */
export type WorkerCommand =
  | (CommandEnvelope & { readonly type: "ec2.discovered"; readonly data: Ec2Discovered })
  | (CommandEnvelope & { readonly type: "ec2.status"; readonly data: Ec2Status })
  | (CommandEnvelope & { readonly type: "cloudwatch.metrics"; readonly data: CloudwatchMetrics })
  | (CommandEnvelope & { readonly type: "cml.metrics"; readonly data: CmlMetrics })
  | (CommandEnvelope & { readonly type: "source.failed"; readonly data: SourceFailedData })
  | (CommandEnvelope & { readonly type: "register"; readonly data: RegisterWorkerCommand })
  | (CommandEnvelope & { readonly type: "detectIdle"; readonly data: DetectIdleData })
  | (CommandEnvelope & { readonly type: "ec2.action"; readonly data: Ec2Action })
  | (CommandEnvelope & { readonly type: "idlePolicy"; readonly data: IdlePolicyCommand });

/** The `type` of a worker command. */
export type WorkerCommandType = WorkerCommand["type"];
