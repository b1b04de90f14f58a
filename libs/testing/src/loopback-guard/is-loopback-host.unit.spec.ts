import { describe, expect, it } from "vitest";
import { isLoopbackHost } from "./is-loopback-host.ts";

describe("isLoopbackHost", () => {
  it.each([
    "localhost",
    "LOCALHOST",
    "127.0.0.1",
    "127.54.17.203",
    "127.255.255.254",
    "::1",
    "[::1]",
    "0:0:0:0:0:0:0:1",
    "::ffff:127.0.0.1",
  ])("accepts %s", (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });

  it.each([
    "0.0.0.0",
    "::",
    "10.0.0.1",
    "54.12.3.4",
    "128.0.0.1",
    "1.127.0.0",
    "::ffff:10.0.0.1",
    "fe80::1",
    "ec2.us-east-1.amazonaws.com",
    "localhost.example.com",
    "127.0.0.1.nip.io",
    "",
  ])("refuses %s", (host) => {
    expect(isLoopbackHost(host)).toBe(false);
  });
});
