/** The simulated AWS services. */
export type AwsService = "ec2" | "cloudwatch" | "pricing";

/** Type guard for service names from untrusted input. */
export function isAwsService(value: unknown): value is AwsService {
  return value === "ec2" || value === "cloudwatch" || value === "pricing";
}
