import { describe, expect, it } from "vitest";
import { authorityOf, hostName, isLoopbackHost, isOriginAllowed } from "./site-guard.ts";

describe("site guard", () => {
  it.each([
    ["127.0.0.1:8080", true],
    ["127.1.2.3", true],
    ["localhost:8080", true],
    ["LOCALHOST", true],
    ["[::1]:8080", true],
    ["attacker.example:8080", false],
    ["127.0.0.1.attacker.example", false],
    ["localhost.attacker.example", false],
    ["10.0.0.5:8080", false],
    ["[::2]", false],
    ["", false],
  ])("treats Host %s as loopback: %s", (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });

  it("reads host names and authorities", () => {
    expect(hostName("Example.COM:443")).toBe("example.com");
    expect(hostName("[fe80::1]:80")).toBe("[fe80::1]");
    expect(authorityOf("https://Dash.Example:8443/path?q")).toBe("dash.example:8443");
    expect(authorityOf("null")).toBe("");
  });

  it("allows no Origin, the API's own origin (Host or X-Forwarded-Host) and configured ones, nothing else", () => {
    const own = ["127.0.0.1:8080", undefined];
    expect(isOriginAllowed(undefined, own, [])).toBe(true);
    expect(isOriginAllowed("http://127.0.0.1:8080", own, [])).toBe(true);
    expect(isOriginAllowed("http://127.0.0.1:9090", own, [])).toBe(false);
    expect(isOriginAllowed("https://attacker.example", own, [])).toBe(false);
    expect(isOriginAllowed("null", own, [])).toBe(false);
    expect(isOriginAllowed("https://api.example.com", ["api:8080", "api.example.com"], [])).toBe(true);
    expect(isOriginAllowed("https://dash.example", own, ["https://dash.example"])).toBe(true);
    expect(isOriginAllowed("https://any.example", own, ["*"])).toBe(true);
  });
});
