import { OpenAPIHono } from "@hono/zod-openapi";
import type { AuthVariables } from "../auth/bearer-auth.ts";
import { problemResponse } from "../problems.ts";

/** Hono environment of every router of this API. */
export interface AppEnv {
  Variables: AuthVariables;
}

/** Names the parameter of the first zod issue: `limit`, `body.region`… */
function paramOf(target: string, path: readonly PropertyKey[]): string {
  const field = path.map(String).join(".");
  if (target === "json") return field === "" ? "body" : field;
  return field === "" ? target : field;
}

/**
 * An OpenAPIHono router whose request validation failures become 400 `validation-error` problems naming the
 * offending parameter.
 */
export function createRouter(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (result.success) return;
      const errors = result.error.issues.map((issue) => ({
        param: paramOf(result.target, issue.path),
        message: issue.message,
      }));
      const first = errors[0] ?? { param: result.target, message: "invalid" };
      return problemResponse(
        "validation-error",
        `${first.param}: ${first.message}`,
        { param: first.param, errors },
        c.req.path,
      );
    },
  });
}
