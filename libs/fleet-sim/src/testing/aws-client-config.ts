/** Static fake credentials the simulator accepts (it reads only the region from the signature). */
export const FAKE_AWS_CREDENTIALS = {
  accessKeyId: "AKIDSIMULATOR",
  secretAccessKey: "simulator-secret",
} as const;

/** SDK client configuration pointing an `EC2Client` or `CloudWatchClient` at the simulator. */
export function awsClientConfig(
  url: string,
  region: string,
  maxAttempts = 3,
): { endpoint: string; region: string; credentials: typeof FAKE_AWS_CREDENTIALS; maxAttempts: number } {
  return { endpoint: url, region, credentials: FAKE_AWS_CREDENTIALS, maxAttempts };
}
