/** What EC2 accepts as an instance id: `i-` and 8 or 17 lowercase hex digits (anything else is `Malformed`). */
export const INSTANCE_ID_PATTERN = /^i-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
/** What EC2 accepts as an AMI id: `ami-` and 8 or 17 lowercase hex digits. */
export const IMAGE_ID_PATTERN = /^ami-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
