import type { InstanceRecord } from "../../model/fleet-model.ts";
import { AwsApiError } from "../aws-api-error.ts";

type Predicate = (instance: InstanceRecord) => boolean;

const FIELD_FILTERS: Record<string, (instance: InstanceRecord) => string> = {
  "instance-id": (i) => i.instanceId,
  "instance-state-name": (i) => i.state,
  "instance-type": (i) => i.instanceType,
  "availability-zone": (i) => i.availabilityZone,
  "image-id": (i) => i.imageId,
};

/**
 * Builds the predicate of EC2 `Filter.N` parameters: values of one filter are OR-ed, filters are AND-ed,
 * `*` and `?` are wildcards. Supports `tag-key`, `tag-value`, `tag:<key>` and the fields above.
 * @throws AwsApiError `InvalidParameterValue` for an unsupported filter name.
 */
export function instanceFilter(filters: ReadonlyArray<{ name: string; values: string[] }>): Predicate {
  const predicates = filters.map(({ name, values }): Predicate => {
    const matchers = values.map(valueMatcher);
    const anyMatch = (value: string | undefined): boolean =>
      value !== undefined && matchers.some((matches) => matches(value));
    if (name.startsWith("tag:")) {
      const key = name.slice(4);
      return (i) => anyMatch(i.tags[key]);
    }
    if (name === "tag-key") return (i) => Object.keys(i.tags).some(anyMatch);
    if (name === "tag-value") return (i) => Object.values(i.tags).some(anyMatch);
    const field = FIELD_FILTERS[name];
    if (!field) throw new AwsApiError("InvalidParameterValue", `The filter '${name}' is invalid`);
    return (i) => anyMatch(field(i));
  });
  return (instance) => predicates.every((predicate) => predicate(instance));
}

function valueMatcher(pattern: string): (value: string) => boolean {
  if (!/[*?]/.test(pattern)) return (value) => value === pattern;
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  const regex = new RegExp(`^${source}$`);
  return (value) => regex.test(value);
}
