import { xmlEscape } from "../xml-escape.ts";
import { EC2_XMLNS, type Ec2Request } from "./ec2-request.ts";

/** EC2 `DescribeImages` for the AMIs of the region's instances (`ImageId.N`; unknown ids are left out). */
export function describeImages({ params, region, fleet, requestId }: Ec2Request): string {
  const wanted = new Set(params.list("ImageId"));
  const images = new Map<string, string>();
  for (const instance of fleet.instances(region)) {
    if (wanted.size === 0 || wanted.has(instance.imageId)) images.set(instance.imageId, instance.amiName);
  }
  let items = "";
  for (const [imageId, name] of images) {
    items +=
      `<item><imageId>${imageId}</imageId><imageLocation>123456789012/${xmlEscape(name)}</imageLocation>` +
      `<imageState>available</imageState><imageOwnerId>123456789012</imageOwnerId><isPublic>false</isPublic>` +
      `<architecture>x86_64</architecture><imageType>machine</imageType><name>${xmlEscape(name)}</name>` +
      `<rootDeviceType>ebs</rootDeviceType><virtualizationType>hvm</virtualizationType></item>`;
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<DescribeImagesResponse xmlns="${EC2_XMLNS}"><requestId>${requestId}</requestId><imagesSet>${items}</imagesSet></DescribeImagesResponse>`;
}
