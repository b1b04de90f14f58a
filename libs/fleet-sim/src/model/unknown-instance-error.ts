/** Thrown when an instance reference (id or Name tag) matches no simulated instance. */
export class UnknownInstanceError extends Error {
  readonly code = "UNKNOWN_INSTANCE";
  readonly ref: string;

  constructor(ref: string) {
    super(`No simulated instance with id or Name "${ref}"`);
    this.name = "UnknownInstanceError";
    this.ref = ref;
  }
}
