import { z } from "zod";

/** Input of every env schema: the raw string value of the variable. */
type EnvSchema<T> = z.ZodPipe<z.ZodString, z.ZodTransform<T, string>>;

const fail = (ctx: z.core.$RefinementCtx<string>, message: string): typeof z.NEVER => {
  ctx.addIssue({ code: "custom", message });
  return z.NEVER;
};

/**
 * Boolean variable: `true`/`false`/`1`/`0` (case-insensitive).
 * @example envBoolean().default(true)
 */
export function envBoolean(): EnvSchema<boolean> {
  return z.string().transform((raw, ctx) => {
    const value = raw.trim().toLowerCase();
    if (value === "true" || value === "1") return true;
    if (value === "false" || value === "0") return false;
    return fail(ctx, "expected true, false, 1 or 0");
  });
}

/** Bounds for integer variables (inclusive). */
export interface IntBounds {
  min?: number;
  max?: number;
}

function describeBounds(bounds: IntBounds, unit = ""): string {
  const { min, max } = bounds;
  if (min !== undefined && max !== undefined) return `between ${min} and ${max}${unit}`;
  if (min !== undefined) return `>= ${min}${unit}`;
  if (max !== undefined) return `<= ${max}${unit}`;
  return "";
}

function checkBounds(value: number, bounds: IntBounds): boolean {
  return (
    (bounds.min === undefined || value >= bounds.min) && (bounds.max === undefined || value <= bounds.max)
  );
}

/**
 * Integer variable in decimal, optionally bounded (inclusive).
 * @example envInt({ min: 0, max: 65535 }).default(9464)
 */
export function envInt(bounds: IntBounds = {}): EnvSchema<number> {
  const expected = `expected an integer ${describeBounds(bounds)}`.trim();
  return z.string().transform((raw, ctx) => {
    const value = raw.trim();
    if (!/^-?\d+$/.test(value)) return fail(ctx, expected);
    const parsed = Number(value);
    if (!Number.isSafeInteger(parsed) || !checkBounds(parsed, bounds)) return fail(ctx, expected);
    return parsed;
  });
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/**
 * Duration in whole seconds: `90`, or with a unit `90s`, `5m`, `1h`, `7d`; result in seconds, bounds in seconds.
 * @example envSeconds({ min: 1 }).default(60)
 */
export function envSeconds(bounds: IntBounds = {}): EnvSchema<number> {
  const expected =
    `expected a duration in seconds (e.g. 60, 90s, 5m, 1h) ${describeBounds(bounds, " s")}`.trim();
  return z.string().transform((raw, ctx) => {
    const match = /^(\d+)\s*([smhd]?)$/i.exec(raw.trim());
    if (!match) return fail(ctx, expected);
    const unit = (match[2] || "s").toLowerCase();
    const seconds = Number(match[1]) * (UNIT_SECONDS[unit] ?? 1);
    if (!Number.isSafeInteger(seconds) || !checkBounds(seconds, bounds)) return fail(ctx, expected);
    return seconds;
  });
}

/** A shape every value must have, and how to name it in an error (`expected <expected>`). */
export interface ItemPattern {
  readonly pattern: RegExp;
  readonly expected: string;
}

/**
 * An AWS region name (`us-east-1`, `ap-southeast-2`, `us-gov-west-1`): a shape, not a list, so new regions need no
 * release; a typo fails at start-up instead of as a DNS error on the first call.
 */
export const awsRegionName: ItemPattern = {
  pattern: /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/,
  expected: "an AWS region name such as us-east-1",
};

/**
 * Comma-separated list; items are trimmed and empty items dropped. With `allowed`, every item must be one of them;
 * with `item`, every item must match its pattern.
 * @example envList().default(["us-east-1"])
 */
export function envList(
  options: { allowed?: readonly string[]; minItems?: number; item?: ItemPattern } = {},
): EnvSchema<string[]> {
  return z.string().transform((raw, ctx) => {
    const items = raw
      .split(",")
      .map((item) => item.trim())
      .filter((item) => item.length > 0);
    const minItems = options.minItems ?? 0;
    if (items.length < minItems)
      return fail(ctx, `expected a comma-separated list of at least ${minItems} item(s)`);
    const { allowed } = options;
    if (allowed) {
      const unknown = items.filter((item) => !allowed.includes(item));
      if (unknown.length > 0)
        return fail(ctx, `unknown item(s) ${unknown.join(", ")}; expected any of ${allowed.join(", ")}`);
    }
    const { item } = options;
    if (item) {
      const bad = items.filter((value) => !item.pattern.test(value));
      if (bad.length > 0)
        return fail(ctx, `${bad.map((value) => `"${value}"`).join(", ")}: expected ${item.expected}`);
    }
    return items;
  });
}

/**
 * Absolute URL, optionally restricted to some protocols (without the colon, e.g. `["nats", "tls"]`).
 * The value keeps its original text (a `string`), so it can be handed to clients unchanged.
 * @example envUrl({ protocols: ["http", "https"] }).optional()
 */
export function envUrl(options: { protocols?: readonly string[] } = {}): EnvSchema<string> {
  const { protocols } = options;
  const expected = protocols
    ? `expected a URL with scheme ${protocols.map((p) => `${p}://`).join(" or ")}`
    : "expected an absolute URL";
  return z.string().transform((raw, ctx) => {
    const value = raw.trim();
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return fail(ctx, expected);
    }
    if (protocols && !protocols.includes(url.protocol.replace(/:$/, ""))) return fail(ctx, expected);
    return value;
  });
}

/**
 * Non-empty string (trimmed), of the given shape if any.
 * @example envString().optional()
 */
export function envString(item?: ItemPattern): EnvSchema<string> {
  return z.string().transform((raw, ctx) => {
    const value = raw.trim();
    if (value.length === 0) return fail(ctx, "expected a non-empty value");
    return item && !item.pattern.test(value) ? fail(ctx, `expected ${item.expected}`) : value;
  });
}

/**
 * One of a fixed set of values (case-sensitive).
 * @example envEnum(["info", "debug"] as const).default("info")
 */
export function envEnum<const T extends readonly [string, ...string[]]>(values: T): EnvSchema<T[number]> {
  return z.string().transform((raw, ctx) => {
    const value = raw.trim();
    return (values as readonly string[]).includes(value)
      ? (value as T[number])
      : fail(ctx, `expected one of ${values.join(", ")}`);
  });
}

/** How CML certificates are pinned: trust on first use, or a fixed set of SHA-256 fingerprints. */
export type CertificatePinSetting =
  | { readonly kind: "tofu" }
  | { readonly kind: "fingerprints"; readonly fingerprints: readonly string[] };

/** A SHA-256 fingerprint: 64 hex digits, with or without colons between the bytes (`AB:CD:…`). */
const SHA256_FINGERPRINT = /^(?:[0-9a-f]{64}|[0-9a-f]{2}(?::[0-9a-f]{2}){31})$/i;

/**
 * Certificate pinning: `tofu`, or a comma-separated list of SHA-256 fingerprints (`openssl x509 -fingerprint
 * -sha256` prints them as `AB:CD:…`; colons are optional).
 * @example envCertificatePin().optional()
 */
export function envCertificatePin(): EnvSchema<CertificatePinSetting> {
  return z.string().transform((raw, ctx) => {
    const value = raw.trim();
    if (value.toLowerCase() === "tofu") return { kind: "tofu" as const };
    const fingerprints = value
      .split(",")
      .map((item) => item.trim())
      .filter((item) => item.length > 0);
    const bad = fingerprints.filter((item) => !SHA256_FINGERPRINT.test(item));
    if (fingerprints.length === 0 || bad.length > 0) {
      return fail(
        ctx,
        "expected tofu, or a comma-separated list of SHA-256 fingerprints (64 hex digits, colons allowed)",
      );
    }
    return { kind: "fingerprints" as const, fingerprints };
  });
}
