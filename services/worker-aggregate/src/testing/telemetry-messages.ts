import {
  type CloudwatchMetrics,
  type CmlCloudEvent,
  type CmlMetrics,
  createEvent,
  type Ec2Discovered,
  type Ec2Status,
  failedDefinitionOf,
  type Source,
  type SourceFailed,
  subjects,
  telemetry,
} from "@cml-telemetry/contracts";

/** A telemetry CloudEvent and the subject it is published on. */
export interface TelemetryMessage {
  readonly subject: string;
  readonly event: CmlCloudEvent<unknown>;
}

interface Options {
  readonly id?: string;
  readonly correlationId?: string;
}

/** Telemetry messages as the collectors publish them. */
export const telemetryMessage = {
  discovered: (data: Ec2Discovered, options: Options = {}): TelemetryMessage => ({
    subject: subjects.telemetry("ec2", data.workerId),
    event: createEvent(telemetry.ec2Discovered, {
      source: "collector-ec2",
      subject: data.workerId,
      data,
      ...options,
    }),
  }),
  ec2Status: (data: Ec2Status, options: Options = {}): TelemetryMessage => ({
    subject: subjects.telemetry("ec2", data.workerId),
    event: createEvent(telemetry.ec2Status, {
      source: "collector-ec2",
      subject: data.workerId,
      data,
      ...options,
    }),
  }),
  cloudwatch: (data: CloudwatchMetrics, options: Options = {}): TelemetryMessage => ({
    subject: subjects.telemetry("cloudwatch", data.workerId),
    event: createEvent(telemetry.cloudwatchMetrics, {
      source: "collector-cloudwatch",
      subject: data.workerId,
      data,
      ...options,
    }),
  }),
  cml: (data: CmlMetrics, options: Options = {}): TelemetryMessage => ({
    subject: subjects.telemetry("cml", data.workerId),
    event: createEvent(telemetry.cmlMetrics, {
      source: "collector-cml",
      subject: data.workerId,
      data,
      ...options,
    }),
  }),
  failed: (source: Source, data: SourceFailed, options: Options = {}): TelemetryMessage => {
    return {
      subject: subjects.telemetry(source, data.workerId),
      event: createEvent(failedDefinitionOf(source), {
        source: `collector-${source}`,
        subject: data.workerId,
        data,
        ...options,
      }),
    };
  },
} as const;
