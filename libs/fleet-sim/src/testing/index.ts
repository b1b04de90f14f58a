export { simulatedLinuxPrice } from "../aws/pricing/price-catalog.ts";
export { awsClientConfig, FAKE_AWS_CREDENTIALS } from "./aws-client-config.ts";
export { createManualClock, type ManualClock } from "./manual-clock.ts";
export {
  SIMULATED_CML_RESPONSE_KINDS,
  type SimulatedCmlResponse,
  type SimulatedCmlResponseKind,
  simulatedCmlResponses,
  simulatedCmlSpec,
  simulatedLicensing,
  simulatedSystemStats,
} from "./simulated-cml-responses.ts";
