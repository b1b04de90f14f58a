import type { FleetModel, InstanceRecord } from "../../model/fleet-model.ts";
import { AwsApiError } from "../aws-api-error.ts";
import type { QueryParams } from "../query-params.ts";
import { INSTANCE_ID_PATTERN } from "./ec2-ids.ts";

/** What an EC2 action handler gets: parsed parameters, the region from the signature and the fleet. */
export interface Ec2Request {
  params: QueryParams;
  region: string;
  fleet: FleetModel;
  requestId: string;
}

/** The XML namespace of EC2 API version 2016-11-15. */
export const EC2_XMLNS = "http://ec2.amazonaws.com/doc/2016-11-15/";

/**
 * Reads `MaxResults` (AWS accepts 5..1000) and refuses it together with explicit instance ids.
 * @returns undefined when absent.
 */
export function readMaxResults(params: QueryParams, instanceIds: readonly string[]): number | undefined {
  const raw = params.get("MaxResults");
  if (raw === undefined) return undefined;
  if (instanceIds.length > 0) {
    throw new AwsApiError(
      "InvalidParameterCombination",
      "The parameter instancesSet cannot be used with the parameter maxResults",
    );
  }
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 5 || value > 1000) {
    throw new AwsApiError(
      "InvalidParameterValue",
      `Value ( ${raw} ) for parameter maxResults is invalid. Expecting a value between 5 and 1000.`,
    );
  }
  return value;
}

/**
 * Resolves explicit `InstanceId.N` values in the request's region, in request order. One id that is not `i-` plus
 * 8 or 17 hex digits fails the whole call (`Malformed`, naming the first); ids the region does not know, or does not
 * know yet (eventual consistency right after launch or tagging), fail it with `NotFound` naming all of them.
 * @throws AwsApiError `InvalidInstanceID.Malformed` / `InvalidInstanceID.NotFound` like EC2.
 */
export function resolveInstanceIds(
  fleet: FleetModel,
  region: string,
  ids: readonly string[],
): InstanceRecord[] {
  const malformed = ids.find((id) => !INSTANCE_ID_PATTERN.test(id));
  if (malformed !== undefined)
    throw new AwsApiError("InvalidInstanceID.Malformed", `Invalid id: "${malformed}"`);
  const found: InstanceRecord[] = [];
  const missing: string[] = [];
  for (const id of new Set(ids)) {
    const instance = fleet.find(id);
    if (instance && instance.region === region && instance.instanceId === id && fleet.isConsistent(instance))
      found.push(instance);
    else missing.push(id);
  }
  if (missing.length === 1) {
    throw new AwsApiError("InvalidInstanceID.NotFound", `The instance ID '${missing[0]}' does not exist`);
  }
  if (missing.length > 1) {
    throw new AwsApiError(
      "InvalidInstanceID.NotFound",
      `The instance IDs '${missing.join(", ")}' do not exist`,
    );
  }
  return found;
}
