import type { FleetModel } from "../../model/fleet-model.ts";
import { AwsApiError } from "../aws-api-error.ts";
import type { CallCounters } from "../call-counters.ts";
import type { FaultInjector } from "../fault-injector.ts";

/** What a CloudWatch operation handler gets: the parsed JSON input, the signed region and the fleet. */
export interface CloudWatchRequest {
  input: Record<string, unknown>;
  region: string;
  fleet: FleetModel;
  counters: CallCounters;
  /** Per-result faults (`result-status`); call-level faults were applied before the handler. */
  faults: FaultInjector;
}

/** Throws CloudWatch's `ValidationError` with the given message. */
export function validationError(message: string): AwsApiError {
  return new AwsApiError("ValidationError", message);
}

/** Reads a required epoch-seconds timestamp member (the awsJson protocols send numbers). */
export function requiredTimestamp(input: Record<string, unknown>, name: string): number {
  const value = input[name];
  if (value === undefined || value === null)
    throw new AwsApiError("MissingParameter", `The parameter ${name} is required.`);
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw validationError(
      `Value '${String(value)}' at '${lowerFirst(name)}' failed to satisfy constraint: Member must be a timestamp`,
    );
  }
  return value;
}

/** Reads an optional string member. */
export function optionalString(input: Record<string, unknown>, name: string): string | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw validationError(`Value at '${lowerFirst(name)}' must be a string`);
  return value;
}

/** True for a plain JSON object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function lowerFirst(value: string): string {
  return value.charAt(0).toLowerCase() + value.slice(1);
}
