import { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { z } from "zod";
import type { AuthVariables } from "../auth/bearer-auth.ts";
import { problemResponse } from "../problems.ts";

/** Hono environment of every router of this API. */
export interface AppEnv {
  Variables: AuthVariables & {
    /** The request's id (the caller's valid `X-Request-Id`, else a new UUID); also the correlation id it causes. */
    requestId: string;
  };
}

/** Names the parameter of the first zod issue: `limit`, `body.region`… */
function paramOf(target: string, path: readonly PropertyKey[]): string {
  const field = path.map(String).join(".");
  if (target === "json") return field === "" ? "body" : field;
  return field === "" ? target : field;
}

/** The 400 `validation-error` problem for a failed validation of one request part (`param`, `query`, `json`…). */
export function validationProblem(target: string, error: z.ZodError, c: Context): Response {
  const errors = error.issues.map((issue) => ({
    param: paramOf(target, issue.path),
    message: issue.message,
  }));
  const first = errors[0] ?? { param: target, message: "invalid" };
  return problemResponse(
    "validation-error",
    `${first.param}: ${first.message}`,
    { param: first.param, errors },
    c.req.path,
  );
}

/**
 * An OpenAPIHono router whose request validation failures become 400 `validation-error` problems naming the
 * offending parameter.
 */
export function createRouter(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (result.success) return;
      return validationProblem(result.target, result.error, c);
    },
  });
}
