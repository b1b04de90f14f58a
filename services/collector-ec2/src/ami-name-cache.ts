import { DescribeImagesCommand, type EC2Client } from "@aws-sdk/client-ec2";
import type { AwsCaller } from "@cml-telemetry/aws";

/** AMI ids per `DescribeImages` call. */
const IMAGES_PER_CALL = 200;

/** Names of AMIs per region; an AMI's name never changes, so each id is asked for once. */
export interface AmiNameCache {
  /** Names of the given AMIs (null when AWS does not know the AMI or the call failed). */
  resolve(region: string, imageIds: readonly string[]): Promise<Map<string, string | null>>;
}

/** Creates the AMI name cache; a failed lookup is retried at the next discovery. */
export function createAmiNameCache(options: {
  clientFor: (region: string) => EC2Client;
  caller: AwsCaller;
  onError?: (region: string, error: unknown) => void;
}): AmiNameCache {
  const names = new Map<string, string | null>();
  return {
    async resolve(region, imageIds) {
      const unknown = [...new Set(imageIds)].filter((id) => !names.has(`${region}/${id}`));
      for (let i = 0; i < unknown.length; i += IMAGES_PER_CALL) {
        const chunk = unknown.slice(i, i + IMAGES_PER_CALL);
        try {
          const out = await options.caller.call("DescribeImages", region, () =>
            options.clientFor(region).send(new DescribeImagesCommand({ ImageIds: chunk })),
          );
          for (const id of chunk) names.set(`${region}/${id}`, null);
          for (const image of out.Images ?? []) {
            if (image.ImageId) names.set(`${region}/${image.ImageId}`, image.Name ?? null);
          }
        } catch (error) {
          options.onError?.(region, error);
        }
      }
      return new Map(imageIds.map((id) => [id, names.get(`${region}/${id}`) ?? null]));
    },
  };
}
