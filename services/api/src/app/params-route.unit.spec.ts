import { createRoute, z } from "@hono/zod-openapi";
import { describe, expect, it } from "vitest";
import { createRouter } from "./create-router.ts";
import { openapiParamsRoute } from "./params-route.ts";

const route = createRoute({
  method: "get",
  path: "/things/{id}",
  request: {
    params: z.object({ id: z.uuid().openapi({ param: { name: "id", in: "path" } }) }),
    query: z.object({ limit: z.coerce.number().int().min(1).max(10).default(5), tag: z.string().optional() }),
  },
  responses: { 200: { description: "A thing" } },
});
const ID = "6f1c7a2e-8a4b-4d4c-9a59-1d7e2c3b4a5f";

function app() {
  const router = createRouter();
  openapiParamsRoute(router, route, (c) =>
    c.json({ param: c.req.valid("param"), query: c.req.valid("query") }, 200),
  );
  return router;
}

describe("openapiParamsRoute", () => {
  it("hands the handler the validated, coerced params and query", async () => {
    const response = await app().request(`/things/${ID}?limit=3&tag=a`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ param: { id: ID }, query: { limit: 3, tag: "a" } });
    const defaults = await app().request(`/things/${ID}`);
    expect(await defaults.json()).toEqual({ param: { id: ID }, query: { limit: 5 } });
  });

  it.each([
    [`/things/not-a-uuid`, "id"],
    [`/things/${ID}?limit=0`, "limit"],
    [`/things/${ID}?tag=a&tag=b`, "tag"],
  ])("answers %s with a validation-error problem naming %s", async (path, param) => {
    const response = await app().request(path);
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toContain("application/problem+json");
    expect(await response.json()).toMatchObject({ param });
  });

  it("documents the route like router.openapi does", () => {
    const document = app().getOpenAPI31Document({ openapi: "3.1.0", info: { title: "t", version: "1" } });
    const parameters = document.paths?.["/things/{id}"]?.get?.parameters as Array<{
      name: string;
      in: string;
    }>;
    expect(parameters.map((parameter) => `${parameter.in}:${parameter.name}`).sort()).toEqual([
      "path:id",
      "query:limit",
      "query:tag",
    ]);
  });

  it("refuses routes with a body, headers or middleware", () => {
    const withBody = createRoute({
      method: "post",
      path: "/things",
      request: { body: { content: { "application/json": { schema: z.object({ a: z.string() }) } } } },
      responses: { 201: { description: "Created" } },
    });
    expect(() =>
      openapiParamsRoute(createRouter(), withBody as never, (c) => c.json({}, 201) as never),
    ).toThrow(/only params and query, not body; use router.openapi/);
  });
});
