export { awsError } from "./aws-error.ts";
export {
  type AwsCollectorTestBed,
  type AwsCollectorTestBedOptions,
  type SimulatedAwsClientConfig,
  useAwsCollectorTestBed,
} from "./collector-test-bed.ts";
