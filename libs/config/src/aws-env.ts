import { envVar } from "./env-registry.ts";
import { awsRegionName, envList, envString, envUrl } from "./env-types.ts";

/** AWS variables shared by the EC2 and CloudWatch collectors. */
export const awsEnv = {
  AWS_REGION: envVar(envString(awsRegionName).optional(), {
    description:
      "Default AWS region of the SDK clients; per-region clients are built for every `CML_REGIONS` entry.",
    defaultText: "first entry of CML_REGIONS",
  }),
  CML_REGIONS: envVar(envList({ minItems: 1, item: awsRegionName }).default(["us-east-1"]), {
    description: "Comma-separated AWS regions whose CML workers are discovered and collected.",
  }),
  CML_WORKER_TAG: envVar(envString().default("cml:worker"), {
    description: "EC2 tag key (`key`) or key/value (`key=value`) that marks an instance as a CML worker.",
  }),
} as const;

/** `AWS_ENDPOINT_URL_EC2`: honoured by the AWS SDK itself; listed so it is documented and accepted. */
export const ec2EndpointEnv = {
  AWS_ENDPOINT_URL_EC2: envVar(envUrl({ protocols: ["http", "https"] }).optional(), {
    description: "EC2 API endpoint override, e.g. the fleet simulator; unset = AWS.",
    readBySdk: true,
  }),
} as const;

/** `AWS_ENDPOINT_URL_CLOUDWATCH`: honoured by the AWS SDK itself; listed so it is documented and accepted. */
export const cloudWatchEndpointEnv = {
  AWS_ENDPOINT_URL_CLOUDWATCH: envVar(envUrl({ protocols: ["http", "https"] }).optional(), {
    description: "CloudWatch API endpoint override, e.g. the fleet simulator; unset = AWS.",
    readBySdk: true,
  }),
} as const;

/** `AWS_ENDPOINT_URL_PRICING`: honoured by the AWS SDK itself; listed so it is documented and accepted. */
export const pricingEndpointEnv = {
  AWS_ENDPOINT_URL_PRICING: envVar(envUrl({ protocols: ["http", "https"] }).optional(), {
    description: "AWS Price List Query API endpoint override, e.g. the fleet simulator; unset = AWS.",
    readBySdk: true,
  }),
} as const;

/** Fills `AWS_REGION` from the first `CML_REGIONS` entry when it is not set. */
export function withDefaultRegion<T extends { AWS_REGION?: string | undefined; CML_REGIONS: string[] }>(
  config: T,
): T & { AWS_REGION: string } {
  return { ...config, AWS_REGION: config.AWS_REGION ?? config.CML_REGIONS[0] ?? "us-east-1" };
}
