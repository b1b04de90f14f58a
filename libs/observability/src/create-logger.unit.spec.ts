import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger, withContext } from "./create-logger.ts";

function memoryDestination(): {
  stream: Writable;
  lines: () => Record<string, unknown>[];
  text: () => string;
} {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString("utf8"));
      callback();
    },
  });
  const text = (): string => chunks.join("");
  return {
    stream,
    text,
    lines: () =>
      text()
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

describe("createLogger", () => {
  it("writes JSON lines with the service, level label and ISO time", () => {
    const out = memoryDestination();
    createLogger({ service: "collector-ec2", level: "info", destination: out.stream }).info(
      { region: "us-east-1" },
      "discovered",
    );
    const [line] = out.lines();
    expect(line).toMatchObject({
      service: "collector-ec2",
      level: "info",
      region: "us-east-1",
      msg: "discovered",
    });
    expect(String(line?.time)).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it("honours the level", () => {
    const out = memoryDestination();
    const logger = createLogger({ service: "api", level: "warn", destination: out.stream });
    logger.info("hidden");
    logger.warn("shown");
    expect(out.lines().map((line) => line.msg)).toEqual(["shown"]);
  });

  it("child loggers carry workerId, correlationId and source, leaving out unset ones", () => {
    const out = memoryDestination();
    const logger = createLogger({ service: "collector-cml", level: "debug", destination: out.stream });
    withContext(logger, { workerId: "w-1", correlationId: "c-9", source: "cml" }).debug("probed");
    withContext(logger, { workerId: "w-2", correlationId: undefined }).info("again");
    const [first, second] = out.lines();
    expect(first).toMatchObject({
      service: "collector-cml",
      workerId: "w-1",
      correlationId: "c-9",
      source: "cml",
    });
    expect(second).toMatchObject({ workerId: "w-2" });
    expect(second).not.toHaveProperty("correlationId");
  });

  it("never writes secrets", () => {
    const out = memoryDestination();
    const logger = createLogger({ service: "collector-cml", level: "info", destination: out.stream });
    logger.info(
      {
        password: "s3cret-pw",
        auth: { password: "s3cret-nested", token: "s3cret-token" },
        token: "s3cret-top-token",
        authorization: "Bearer s3cret-bearer",
        headers: { authorization: "Bearer s3cret-header" },
        request: { headers: { authorization: "Bearer s3cret-req" } },
        licenseKey: "s3cret-license",
        license: { licenseKey: "s3cret-license-nested" },
        MONGODB_URI: "mongodb://u:s3cret-mongo@db",
        config: {
          MONGODB_URI: "mongodb://u:s3cret-mongo2@db",
          CML_PASSWORD: "s3cret-cml",
          API_TOKENS: "s3cret-tokens",
        },
        uri: "mongodb://u:s3cret-uri@db",
        creds: "s3cret-creds",
        workerId: "w-visible",
      },
      "secrets everywhere",
    );
    withContext(logger, { workerId: "w-1" }).info({ password: "s3cret-child" }, "child");
    const text = out.text();
    expect(text).not.toContain("s3cret");
    expect(text).toContain("w-visible");
    expect(out.lines()[0]).toMatchObject({
      password: "[redacted]",
      auth: { password: "[redacted]", token: "[redacted]" },
      headers: { authorization: "[redacted]" },
    });
  });
});
