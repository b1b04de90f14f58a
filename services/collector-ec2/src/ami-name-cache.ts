import { DescribeImagesCommand, type EC2Client } from "@aws-sdk/client-ec2";
import type { AwsCaller } from "@cml-telemetry/aws";
import { isAwsImageId } from "@cml-telemetry/contracts";
import { type BadIdsError, isolateBadIds } from "./isolate-bad-ids.ts";

/** AMI ids per `DescribeImages` call. */
const IMAGES_PER_CALL = 200;
/** How long an AMI EC2 cannot describe (deregistered, no longer shared) is not asked for again. */
export const UNAVAILABLE_AMI_RETRY_MS = 3_600_000;

/** Names of AMIs per region. */
export interface AmiNameCache {
  /** Names of the given AMIs (null when EC2 cannot describe the AMI, or the call failed). */
  resolve(region: string, imageIds: readonly string[]): Promise<Map<string, string | null>>;
}

/**
 * Creates the AMI name cache. An AMI's name never changes, so a name is asked for once. `DescribeImages` with explicit
 * ids fails the whole call for one deregistered (`InvalidAMIID.NotFound`) or unshared (`InvalidAMIID.Unavailable`)
 * AMI: such AMIs are isolated (the others of the call still get their names) and remembered for an hour without a
 * name; a call that failed otherwise is retried at the next discovery.
 */
export function createAmiNameCache(options: {
  clientFor: (region: string) => EC2Client;
  caller: AwsCaller;
  onError?: (region: string, error: unknown) => void;
  now?: () => number;
}): AmiNameCache {
  const now = options.now ?? Date.now;
  const names = new Map<string, string>();
  const unavailableUntil = new Map<string, number>();
  const known = (key: string): boolean => names.has(key) || (unavailableUntil.get(key) ?? 0) > now();
  return {
    async resolve(region, imageIds) {
      const key = (id: string) => `${region}/${id}`;
      const wanted = [...new Set(imageIds)].filter((id) => !known(key(id)));
      for (const id of wanted.filter((id) => !isAwsImageId(id)))
        unavailableUntil.set(key(id), now() + UNAVAILABLE_AMI_RETRY_MS);
      const asked = wanted.filter(isAwsImageId);
      for (let i = 0; i < asked.length; i += IMAGES_PER_CALL) {
        const result = await isolateBadIds(
          asked.slice(i, i + IMAGES_PER_CALL),
          (ids) =>
            options.caller.call("DescribeImages", region, () =>
              options.clientFor(region).send(new DescribeImagesCommand({ ImageIds: [...ids] })),
            ),
          imageIdsBlamed,
        );
        for (const out of result.answers)
          for (const image of out.Images ?? [])
            if (image.ImageId && image.Name) names.set(key(image.ImageId), image.Name);
        for (const [id, { error }] of result.bad) {
          unavailableUntil.set(key(id), now() + UNAVAILABLE_AMI_RETRY_MS);
          options.onError?.(region, error);
        }
        for (const { error } of result.failed) options.onError?.(region, error);
      }
      return new Map(imageIds.map((id) => [id, names.get(key(id)) ?? null]));
    },
  };
}

/** The AMI ids an EC2 error blames (`InvalidAMIID.NotFound` names all of them, `.Unavailable`/`.Malformed` one). */
export function imageIdsBlamed(error: unknown): BadIdsError | undefined {
  if (!(error instanceof Error) || !error.name.startsWith("InvalidAMIID.")) return undefined;
  return { reason: error.name, ids: error.message.match(/ami-[0-9A-Za-z]+/g) ?? [] };
}
