import { z } from "zod";

/** RFC 3339 UTC timestamp with a `Z` offset, e.g. `2026-11-25T12:00:00.000Z`. */
export const timestampSchema = z.iso.datetime({ offset: false }).describe("RFC 3339 UTC timestamp");
export const workerIdSchema = z.uuid().describe("Worker id: UUID v5 of `<region>/<instanceId>`");
export const regionSchema = z
  .string()
  .regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, "must be an AWS region name such as us-east-1")
  .describe("AWS region");
export const instanceIdSchema = z
  .string()
  .regex(/^i-[0-9a-f]{8,17}$/, "must be an EC2 instance id such as i-0123456789abcdef0")
  .describe("EC2 instance id");
export const httpsEndpointSchema = z
  .url({ protocol: /^https$/ })
  .describe("Base URL of the CML controller (https)");
export const percentSchema = z.number().min(0).max(100);
export const nonNegativeIntSchema = z.number().int().nonnegative();
/** A failure of one part of an observation (the rest was read): a stable `errorType` and a message. */
export const partialFailureSchema = z.object({ errorType: z.string().min(1), errorMessage: z.string() });
export type PartialFailure = z.infer<typeof partialFailureSchema>;
