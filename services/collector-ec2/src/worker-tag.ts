import type { Filter } from "@aws-sdk/client-ec2";

/** The tag marking CML workers: `key` alone, or `key=value`. */
export interface WorkerTag {
  readonly key: string;
  readonly value: string | undefined;
}

/**
 * Parses `CML_WORKER_TAG` (`key` or `key=value`; the first `=` separates them).
 * @throws RangeError when the key is empty.
 */
export function parseWorkerTag(text: string): WorkerTag {
  const index = text.indexOf("=");
  const key = (index < 0 ? text : text.slice(0, index)).trim();
  if (key === "") throw new RangeError(`worker tag "${text}" has an empty key`);
  return { key, value: index < 0 ? undefined : text.slice(index + 1) };
}

/** The `DescribeInstances` filter selecting the instances that carry the worker tag. */
export function workerTagFilter(tag: WorkerTag): Filter {
  return tag.value === undefined
    ? { Name: "tag-key", Values: [tag.key] }
    : { Name: `tag:${tag.key}`, Values: [tag.value] };
}
