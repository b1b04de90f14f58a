import type { ImageRecord } from "../../model/fleet-model.ts";
import { AwsApiError } from "../aws-api-error.ts";
import { xmlEscape } from "../xml-escape.ts";
import { answerDryRun } from "./dry-run.ts";
import { IMAGE_ID_PATTERN } from "./ec2-ids.ts";
import { EC2_XMLNS, type Ec2Request } from "./ec2-request.ts";

/**
 * EC2 `DescribeImages` over the AMIs of the region's instances. Without `ImageId.N`: the available ones. With explicit
 * ids, like EC2, one bad id fails the whole call: a malformed id `InvalidAMIID.Malformed`, an unknown or deregistered
 * AMI `InvalidAMIID.NotFound` (naming all such ids), an AMI no longer shared with the account
 * `InvalidAMIID.Unavailable`.
 */
export function describeImages({ params, region, fleet, requestId }: Ec2Request): string {
  answerDryRun(params);
  fleet.advance();
  const wanted = [...new Set(params.list("ImageId"))];
  let images: ImageRecord[];
  if (wanted.length === 0) {
    images = fleet.images(region).filter((image) => image.state === "available");
  } else {
    const malformed = wanted.find((id) => !IMAGE_ID_PATTERN.test(id));
    if (malformed !== undefined)
      throw new AwsApiError("InvalidAMIID.Malformed", `Invalid id: "${malformed}"`);
    const found = wanted.map((id) => ({ id, image: fleet.image(region, id) }));
    const missing = found.filter(({ image }) => !image || image.state === "deregistered").map(({ id }) => id);
    if (missing.length > 0) {
      throw new AwsApiError(
        "InvalidAMIID.NotFound",
        missing.length === 1
          ? `The image id '[${missing[0]}]' does not exist`
          : `The image ids '[${missing.join(", ")}]' do not exist`,
      );
    }
    const unshared = found.find(({ image }) => image?.state === "unshared");
    if (unshared) {
      throw new AwsApiError(
        "InvalidAMIID.Unavailable",
        `The image ID '${unshared.id}' is no longer available`,
      );
    }
    images = found.flatMap(({ image }) => (image ? [image] : []));
  }
  let items = "";
  for (const { imageId, name } of images) {
    items +=
      `<item><imageId>${imageId}</imageId><imageLocation>123456789012/${xmlEscape(name)}</imageLocation>` +
      `<imageState>available</imageState><imageOwnerId>123456789012</imageOwnerId><isPublic>false</isPublic>` +
      `<architecture>x86_64</architecture><imageType>machine</imageType><name>${xmlEscape(name)}</name>` +
      `<rootDeviceType>ebs</rootDeviceType><virtualizationType>hvm</virtualizationType></item>`;
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<DescribeImagesResponse xmlns="${EC2_XMLNS}"><requestId>${requestId}</requestId><imagesSet>${items}</imagesSet></DescribeImagesResponse>`;
}
