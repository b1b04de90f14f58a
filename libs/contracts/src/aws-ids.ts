/**
 * What EC2 accepts as an instance id: `i-` and 8 or 17 lowercase hex digits. Any other id fails a whole EC2 call
 * with `InvalidInstanceID.Malformed`, so it is refused at registration and never sent by a collector.
 */
export const AWS_INSTANCE_ID_PATTERN = /^i-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;

/** What EC2 accepts as an AMI id: `ami-` and 8 or 17 lowercase hex digits. */
export const AWS_IMAGE_ID_PATTERN = /^ami-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;

/** Whether EC2 would accept `id` as an instance id (see {@link AWS_INSTANCE_ID_PATTERN}). */
export function isAwsInstanceId(id: string): boolean {
  return AWS_INSTANCE_ID_PATTERN.test(id);
}

/** Whether EC2 would accept `id` as an AMI id (see {@link AWS_IMAGE_ID_PATTERN}). */
export function isAwsImageId(id: string): boolean {
  return AWS_IMAGE_ID_PATTERN.test(id);
}
