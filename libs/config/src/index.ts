export {
  API_ROLES,
  type ApiRole,
  type ApiToken,
  type ApiTokensParseResult,
  parseApiTokens,
  resolveApiTokens,
} from "./api-tokens.ts";
export {
  awsEnv,
  cloudWatchEndpointEnv,
  ec2EndpointEnv,
  pricingEndpointEnv,
  withDefaultRegion,
} from "./aws-env.ts";
export { ConfigError, type ConfigIssue } from "./config-error.ts";
export { type ConfigField, type ConfigSchema, configFields } from "./config-fields.ts";
export { type EnvVarMeta, envRegistry, envVar } from "./env-registry.ts";
export {
  type CertificatePinSetting,
  envBoolean,
  envCertificatePin,
  envEnum,
  envInt,
  envList,
  envSeconds,
  envString,
  envUrl,
  type IntBounds,
} from "./env-types.ts";
export { healthPort } from "./health-port.ts";
export { idleCheckEnv, idleEnv } from "./idle-env.ts";
export { idleStopPolicyEnv } from "./idle-stop-env.ts";
export { loadServiceConfigOrExit } from "./load-or-exit.ts";
export { jetstreamEnv, natsEnv } from "./nats-env.ts";
export { LOG_LEVELS, type LogLevel, logEnv, observabilityEnv } from "./observability-env.ts";
export { type EnvSource, parseEnv } from "./parse-env.ts";
export { REDACTED, redactConfig, SECRET_ENV_VARS } from "./redact-config.ts";
export { renderConfigDoc, renderConfigTable } from "./render-config-table.ts";
export {
  isServiceName,
  loadServiceConfig,
  SERVICE_NAMES,
  type ServiceConfig,
  type ServiceName,
  serviceConfigSchemas,
} from "./service-schemas.ts";
export { type ApiConfig, apiConfigSchema } from "./services/api.ts";
export {
  type CollectorCloudWatchConfig,
  collectorCloudWatchConfigSchema,
} from "./services/collector-cloudwatch.ts";
export { type CollectorCmlConfig, collectorCmlConfigSchema } from "./services/collector-cml.ts";
export { type CollectorEc2Config, collectorEc2ConfigSchema } from "./services/collector-ec2.ts";
export { type MetricsHistoryConfig, metricsHistoryConfigSchema } from "./services/metrics-history.ts";
export { type WorkerAggregateConfig, workerAggregateConfigSchema } from "./services/worker-aggregate.ts";
export { type WorkerLifecycleConfig, workerLifecycleConfigSchema } from "./services/worker-lifecycle.ts";
