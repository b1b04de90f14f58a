import { z } from "@hono/zod-openapi";
import { PROBLEM_BASE } from "../problems.ts";

/** OpenAPI schema of an RFC 7807 problem document. */
export const problemSchema = z
  .object({
    type: z.string().openapi({ example: `${PROBLEM_BASE}not-found` }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().optional(),
    param: z.string().optional().openapi({ description: "The offending parameter or body field" }),
    errors: z.array(z.object({ param: z.string(), message: z.string() })).optional(),
  })
  .openapi("Problem");

/** An OpenAPI response entry carrying a problem. */
export function problemContent(description: string) {
  return { description, content: { "application/problem+json": { schema: problemSchema } } };
}

/** Problem responses every authenticated `/api/v1` route can answer. */
export const authProblems = {
  401: problemContent("No or unknown bearer token (`unauthorized`)"),
} as const;
