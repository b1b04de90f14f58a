export { AwsApiError } from "./aws/aws-api-error.ts";
export { type AwsService, isAwsService } from "./aws/aws-service.ts";
export {
  type AwsSimulator,
  type AwsSimulatorOptions,
  type AwsSimulatorParts,
  type ControlRequestHandler,
  startAwsSimulator,
} from "./aws/aws-simulator.ts";
export { type CallCounters, type CallCounts, createCallCounters } from "./aws/call-counters.ts";
export { MAX_METRIC_DATA_QUERIES } from "./aws/cloudwatch/get-metric-data.ts";
export { MAX_STATUS_INSTANCE_IDS } from "./aws/ec2/describe-instance-status.ts";
export { dryRunOperation } from "./aws/ec2/dry-run.ts";
export { IMAGE_ID_PATTERN, INSTANCE_ID_PATTERN } from "./aws/ec2/ec2-ids.ts";
export {
  createFaultInjector,
  type FailedResultStatus,
  type FaultDecision,
  type FaultInjector,
  type FaultKind,
  type FaultRule,
  type FaultRuleInput,
} from "./aws/fault-injector.ts";
export * from "./cml/index.ts";
export {
  bindCmlToFleet,
  CML_ENDPOINT_TAG,
  type CmlFleetBinding,
  type CmlFleetBindingOptions,
  type CmlLabProfile,
} from "./composition/cml-fleet-binding.ts";
export {
  type FleetSimulator,
  type FleetSimulatorOptions,
  startFleetSimulator,
} from "./composition/fleet-simulator.ts";
export { type FleetSimConfig, FleetSimConfigError, parseFleetSimEnv } from "./config/fleet-sim-env.ts";
export type { CmlControl } from "./control/cml-control.ts";
export { createControlApi } from "./control/control-api.ts";
export { ASG_NAME_TAG } from "./model/agent-dimensions.ts";
export {
  createFleetModel,
  DEFAULT_TIMINGS,
  type Ec2StateChange,
  type FleetChange,
  type FleetModel,
  type FleetModelOptions,
  type ImageRecord,
  type InstanceRecord,
  type StateChangeResult,
} from "./model/fleet-model.ts";
export { type GenerateFleetOptions, generateFleetSpecs } from "./model/generate-fleet.ts";
export { IncorrectInstanceStateError } from "./model/incorrect-instance-state-error.ts";
export { INSTANCE_STATE_CODES } from "./model/instance-state.ts";
export {
  agentDimensions,
  CPU_METRIC,
  type Dimension,
  MEMORY_METRIC,
  type MetricIdentity,
} from "./model/metric-catalog.ts";
export { cpuAt, memoryAt } from "./model/metric-series.ts";
export {
  DEFAULT_REALISM,
  type RealismModes,
  type SecondsRange,
  type TransitionSeconds,
} from "./model/realism.ts";
export { createSimClock, type SimClock } from "./model/sim-clock.ts";
export type {
  AgentConfig,
  AgentSeriesView,
  CpuChange,
  FleetTimings,
  ImageState,
  InstanceAction,
  InstancePatch,
  InstanceSpec,
  InstanceStateName,
  InstanceView,
  StatusCheckValue,
} from "./model/types.ts";
export { UnknownImageError } from "./model/unknown-image-error.ts";
export { UnknownInstanceError } from "./model/unknown-instance-error.ts";
