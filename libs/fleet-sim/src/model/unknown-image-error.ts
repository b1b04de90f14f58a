/** Thrown when an AMI id matches no simulated AMI. */
export class UnknownImageError extends Error {
  readonly code = "UNKNOWN_IMAGE";
  readonly ref: string;

  constructor(ref: string) {
    super(`No simulated AMI "${ref}"`);
    this.name = "UnknownImageError";
    this.ref = ref;
  }
}
