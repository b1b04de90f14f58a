/** Polls `predicate` until it returns a truthy value (returned) or the timeout passes (throws with `what`). */
export async function waitFor<T>(
  predicate: () => T | Promise<T>,
  options: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await predicate();
      if (value) return value as NonNullable<T>;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 25));
  }
  const cause = lastError instanceof Error ? `: ${lastError.message}` : "";
  throw new Error(
    `timed out after ${options.timeoutMs ?? 10_000} ms waiting for ${options.what ?? "condition"}${cause}`,
  );
}
