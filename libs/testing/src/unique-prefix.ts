let counter = 0;

/** A stream/bucket name prefix unique to this process and call, e.g. `T3f9a_2_`. */
export function uniquePrefix(): string {
  counter += 1;
  return `T${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}_${counter}_`;
}
