import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Parser } from "@asyncapi/parser";
import { Ajv } from "ajv";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import { MESSAGE_CATALOGUE } from "../catalogue.ts";
import { createEvent, encodeEvent } from "../cloud-event.ts";
import { repoRoot } from "../testing/repo-root.ts";
import { buildAsyncApiDocument } from "./asyncapi.ts";
import { cloudEventJsonSchema } from "./json-schemas.ts";
import { renderContractDocs } from "./render.ts";

const root = repoRoot();
const version = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }).version;

describe("generated contract docs", () => {
  it("are up to date in docs/ (run `npm run docs -w libs/contracts` after changing a contract)", () => {
    const expected = renderContractDocs(version);
    for (const [path, content] of Object.entries(expected)) {
      const file = join(root, "docs", path);
      expect(existsSync(file), `${path} is missing`).toBe(true);
      expect(readFileSync(file, "utf8"), `${path} is stale`).toBe(content);
    }
    const onDisk = readdirSync(join(root, "docs", "schemas")).map((name) => `schemas/${name}`);
    expect(onDisk.sort()).toEqual(
      Object.keys(expected)
        .filter((path) => path.startsWith("schemas/"))
        .sort(),
    );
  });

  it("is a valid AsyncAPI 3 document with every message", async () => {
    const { document, diagnostics } = await new Parser().parse(
      JSON.stringify(buildAsyncApiDocument(version)),
    );
    const errors = diagnostics.filter((diagnostic) => diagnostic.severity === 0);
    expect(errors.map((error) => `${error.path.join(".")}: ${error.message}`)).toEqual([]);
    expect(document?.version()).toBe("3.0.0");
    expect(document?.allMessages().length).toBe(MESSAGE_CATALOGUE.length);
  });

  it("describes real messages: every example CloudEvent validates against its generated JSON Schema", () => {
    const ajv = new Ajv({ strict: false });
    addFormats.default(ajv);
    for (const definition of MESSAGE_CATALOGUE) {
      const validate = ajv.compile(cloudEventJsonSchema(definition));
      const event = JSON.parse(
        new TextDecoder().decode(
          encodeEvent(
            createEvent(definition, { source: "api", data: definition.example, correlationId: "c" }),
          ),
        ),
      );
      expect(validate(event), `${definition.type}: ${ajv.errorsText(validate.errors)}`).toBe(true);
    }
  });
});
