/** Constructor options shared by every AWS SDK client of the collectors (EC2, CloudWatch). */
export interface AwsClientOptions {
  readonly region: string;
  /** `adaptive`: the SDK's client-side rate limiter slows down when AWS throttles. */
  readonly retryMode: "adaptive";
  readonly maxAttempts: number;
}

/** SDK attempts per call (the first plus retries) before {@link AwsCaller} backoff takes over. */
export const AWS_CLIENT_MAX_ATTEMPTS = 5;

/**
 * Options of a region's SDK client: adaptive retries, {@link AWS_CLIENT_MAX_ATTEMPTS} attempts. Credentials come
 * from the SDK's default chain and endpoints from `AWS_ENDPOINT_URL_<SERVICE>`, both read by the SDK itself.
 */
export function awsClientOptions(region: string): AwsClientOptions {
  return { region, retryMode: "adaptive", maxAttempts: AWS_CLIENT_MAX_ATTEMPTS };
}

/** Creates one client per region, keyed by region in the given order. */
export function createRegionClients<Client>(
  regions: readonly string[],
  create: (region: string) => Client,
): Map<string, Client> {
  return new Map(regions.map((region) => [region, create(region)]));
}

/**
 * Returns a lookup of the client of a region that throws a `RangeError` naming `service` for a region without one
 * (a command of a region this replica does not serve).
 */
export function regionClientLookup<Client>(
  clients: ReadonlyMap<string, Client>,
  service: string,
): (region: string) => Client {
  return (region) => {
    const client = clients.get(region);
    if (!client) throw new RangeError(`no ${service} client for region ${region}`);
    return client;
  };
}
