import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createDashboardRouter } from "./dashboard.index.ts";
import { loadDashboardAssets } from "./dashboard-assets.ts";

describe("dashboard router", () => {
  const router = createDashboardRouter();

  it("serves the page with a same-origin content security policy", async () => {
    const response = await router.request("/");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(response.headers.get("content-security-policy")).toContain("script-src 'self'");
    const html = await response.text();
    expect(html).toContain('src="/assets/js/main.js"');
    expect(html).toContain('src="/assets/vendor/uplot.min.js"');
  });

  it("serves the ES modules and uPlot from the installed package, not a CDN", async () => {
    const main = await router.request("/assets/js/main.js");
    expect(main.status).toBe(200);
    expect(main.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    const uplot = await router.request("/assets/vendor/uplot.min.js");
    expect(uplot.status).toBe(200);
    expect(await uplot.text()).toContain("uPlot");
    const css = await router.request("/assets/vendor/uplot.min.css");
    expect(css.headers.get("content-type")).toBe("text/css; charset=utf-8");
  });

  it("answers 304 to a matching If-None-Match and 404 to an unknown asset", async () => {
    const first = await router.request("/assets/app.css");
    const etag = first.headers.get("etag") ?? "";
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    const again = await router.request("/assets/app.css", { headers: { "if-none-match": etag } });
    expect(again.status).toBe(304);
    expect((await router.request("/assets/../package.json")).status).toBe(404);
    expect((await router.request("/assets/missing.js")).status).toBe(404);
  });

  it("keeps the page's JavaScript and CSS under 300 KB uncompressed", () => {
    let bytes = 0;
    for (const [path, asset] of loadDashboardAssets()) {
      if (/\.(js|css)$/.test(path)) bytes += asset.body.byteLength;
    }
    expect(bytes).toBeLessThan(300 * 1024);
  });

  it("names the missing file when the public folder has no index.html", () => {
    const dir = mkdtempSync(join(tmpdir(), "dashboard-"));
    try {
      writeFileSync(join(dir, "app.css"), "body{}");
      expect(() => loadDashboardAssets({ publicDir: dir })).toThrow(/index\.html is missing/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
