import { describe, expect, it } from "vitest";
import {
  awsRegionName,
  envBoolean,
  envEnum,
  envInt,
  envList,
  envSeconds,
  envString,
  envUrl,
} from "./env-types.ts";

const problemOf = (result: {
  success: boolean;
  error?: { issues: { message: string }[] };
}): string | undefined => result.error?.issues[0]?.message;

describe("envBoolean", () => {
  it.each([
    ["true", true],
    ["TRUE", true],
    ["1", true],
    ["false", false],
    ["0", false],
    [" False ", false],
  ])("parses %j as %j", (raw, expected) => {
    expect(envBoolean().parse(raw)).toBe(expected);
  });

  it("rejects anything else with what it expected", () => {
    expect(problemOf(envBoolean().safeParse("yes"))).toBe("expected true, false, 1 or 0");
  });
});

describe("envInt", () => {
  it("parses integers within bounds", () => {
    expect(envInt({ min: 0, max: 10 }).parse(" 7 ")).toBe(7);
    expect(envInt().parse("-3")).toBe(-3);
  });

  it.each(["abc", "1.5", "11", "-1", "", "1e3"])("rejects %j", (raw) => {
    expect(problemOf(envInt({ min: 0, max: 10 }).safeParse(raw))).toBe(
      "expected an integer between 0 and 10",
    );
  });

  it("describes one-sided bounds", () => {
    expect(problemOf(envInt({ min: 1 }).safeParse("0"))).toBe("expected an integer >= 1");
  });
});

describe("envSeconds", () => {
  it.each([
    ["60", 60],
    ["90s", 90],
    ["5m", 300],
    ["2h", 7200],
    ["1d", 86_400],
    ["1D", 86_400],
  ])("parses %j as %d seconds", (raw, seconds) => {
    expect(envSeconds().parse(raw)).toBe(seconds);
  });

  it("applies bounds after the unit", () => {
    expect(envSeconds({ max: 300 }).safeParse("6m").success).toBe(false);
    expect(envSeconds({ max: 300 }).parse("5m")).toBe(300);
  });

  it.each(["1.5", "-5", "10w", "soon"])("rejects %j", (raw) => {
    expect(problemOf(envSeconds().safeParse(raw))).toMatch(/^expected a duration in seconds/);
  });
});

describe("envList", () => {
  it("splits on commas, trims and drops empty items", () => {
    expect(envList().parse(" us-east-1, eu-west-1 ,,")).toEqual(["us-east-1", "eu-west-1"]);
  });

  it("enforces a minimum length and allowed items", () => {
    expect(problemOf(envList({ minItems: 1 }).safeParse(" , "))).toBe(
      "expected a comma-separated list of at least 1 item(s)",
    );
    expect(problemOf(envList({ allowed: ["a", "b"] }).safeParse("a,c"))).toBe(
      "unknown item(s) c; expected any of a, b",
    );
  });
});

describe("AWS region names", () => {
  it.each(["us-east-1", "eu-west-1", "ap-southeast-2", "us-gov-west-1", "cn-north-1", "il-central-1"])(
    "accepts %j",
    (region) => {
      expect(envList({ item: awsRegionName }).parse(`eu-west-1,${region}`)).toEqual(["eu-west-1", region]);
      expect(envString(awsRegionName).parse(region)).toBe(region);
    },
  );

  it.each(["us-east1", "useast-1", "US-EAST-1", "us_east_1", "eu-west-1a", "local"])(
    "rejects %j",
    (region) => {
      expect(problemOf(envList({ item: awsRegionName }).safeParse(`us-east-1, ${region}`))).toBe(
        `"${region}": expected an AWS region name such as us-east-1`,
      );
      expect(problemOf(envString(awsRegionName).safeParse(region))).toBe(
        "expected an AWS region name such as us-east-1",
      );
    },
  );
});

describe("envUrl", () => {
  it("keeps the URL text unchanged", () => {
    expect(envUrl().parse("nats://nats:4222")).toBe("nats://nats:4222");
  });

  it("rejects non-URLs and other schemes", () => {
    expect(problemOf(envUrl().safeParse("not a url"))).toBe("expected an absolute URL");
    expect(problemOf(envUrl({ protocols: ["nats", "tls"] }).safeParse("http://x"))).toBe(
      "expected a URL with scheme nats:// or tls://",
    );
  });
});

describe("envString and envEnum", () => {
  it("trims strings and rejects blank ones", () => {
    expect(envString().parse(" admin ")).toBe("admin");
    expect(problemOf(envString().safeParse("   "))).toBe("expected a non-empty value");
  });

  it("accepts only listed values", () => {
    expect(envEnum(["info", "debug"] as const).parse("debug")).toBe("debug");
    expect(problemOf(envEnum(["info", "debug"] as const).safeParse("loud"))).toBe(
      "expected one of info, debug",
    );
  });
});
