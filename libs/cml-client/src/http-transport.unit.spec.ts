import { describe, expect, it } from "vitest";
import { apiBaseOf, unreachableReasonOf } from "./http-transport.ts";

const failure = (code: string, syscall?: string) => Object.assign(new Error(code), { code, syscall });

describe("apiBaseOf", () => {
  it.each([
    ["https://10.0.0.5", "https://10.0.0.5/api/v0"],
    ["https://10.0.0.5/", "https://10.0.0.5/api/v0"],
    ["https://cml.example:8443/api/v0/", "https://cml.example:8443/api/v0"],
    ["https://host/prefix", "https://host/prefix/api/v0"],
  ])("%s → %s", (input, expected) => {
    expect(apiBaseOf(input)).toBe(expected);
  });

  it("rejects non-http schemes", () => {
    expect(() => apiBaseOf("ftp://host")).toThrow(TypeError);
  });
});

describe("unreachableReasonOf", () => {
  it.each([
    [failure("ECONNREFUSED"), "refused"],
    [failure("ECONNRESET", "connect"), "refused"],
    [failure("ECONNRESET", "read"), "connection-closed"],
    [failure("UND_ERR_SOCKET"), "connection-closed"],
    [failure("UND_ERR_CONNECT_TIMEOUT"), "connect-timeout"],
    [failure("UND_ERR_HEADERS_TIMEOUT"), "read-timeout"],
    [failure("UND_ERR_BODY_TIMEOUT"), "read-timeout"],
    [failure("DEPTH_ZERO_SELF_SIGNED_CERT"), "tls"],
    [failure("ERR_TLS_CERT_ALTNAME_INVALID"), "tls"],
    [failure("CERT_HAS_EXPIRED"), "tls"],
    [failure("ENOTFOUND"), "dns"],
    [new Error("weird"), "network"],
  ])("%s → %s", (error, reason) => {
    expect(unreachableReasonOf(error)).toBe(reason);
  });
});
