import { createRoute, z } from "@hono/zod-openapi";
import { authProblems } from "../../app/problem-schema.ts";

/** `GET /api/v1/whoami`: the caller's token name and role, so the dashboard shows only what the role may do. */
export const whoamiRoute = createRoute({
  method: "get",
  path: "/api/v1/whoami",
  tags: ["operations"],
  summary: "The caller's principal (token name and role)",
  security: [{ bearerAuth: [] }],
  responses: {
    200: {
      description: "The principal of the presented token (`anonymous` operator when auth is off)",
      content: {
        "application/json": {
          schema: z
            .object({
              name: z.string().openapi({ example: "ops-team" }),
              role: z.enum(["viewer", "operator"]),
            })
            .openapi("Principal"),
        },
      },
    },
    ...authProblems,
  },
});
