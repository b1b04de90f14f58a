import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, extname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

/** One static file of the dashboard, held in memory. */
export interface DashboardAsset {
  readonly body: Uint8Array<ArrayBuffer>;
  readonly contentType: string;
  /** Strong ETag (SHA-256 prefix of the body). */
  readonly etag: string;
}

/** Where the dashboard files come from. */
export interface DashboardAssetSources {
  /** Folder of `index.html`, `app.css` and `js/` (default: `services/api/public`). */
  publicDir?: string;
  /** Folder of uPlot's `dist` files (default: resolved from the installed `uplot` package). */
  uplotDistDir?: string;
}

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
};

/** Files of uPlot served under `/assets/vendor/` (no CDN), by their served name. */
const UPLOT_FILES: Record<string, string> = {
  "uplot.min.js": "uPlot.iife.min.js",
  "uplot.min.css": "uPlot.min.css",
};

function toAsset(path: string): DashboardAsset {
  const body = new Uint8Array(readFileSync(path));
  const contentType = CONTENT_TYPES[extname(path)] ?? "application/octet-stream";
  const etag = `"${createHash("sha256").update(body).digest("hex").slice(0, 32)}"`;
  return { body, contentType, etag };
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

/** The default folders: this package's `public/` and the installed uPlot's `dist/`. */
export function defaultAssetSources(): Required<DashboardAssetSources> {
  const here = dirname(fileURLToPath(import.meta.url));
  const require = createRequire(import.meta.url);
  return {
    publicDir: join(here, "..", "..", "..", "public"),
    uplotDistDir: dirname(require.resolve("uplot/dist/uPlot.iife.min.js")),
  };
}

/**
 * Reads the dashboard into memory once: every file of `publicDir` keyed by its URL path under `/assets/`
 * (`index.html` also as `/`), plus uPlot as `/assets/vendor/uplot.min.{js,css}`.
 * @throws Error naming the folder when `index.html` or a uPlot file is missing.
 */
export function loadDashboardAssets(sources: DashboardAssetSources = {}): Map<string, DashboardAsset> {
  const defaults = defaultAssetSources();
  const publicDir = sources.publicDir ?? defaults.publicDir;
  const uplotDir = sources.uplotDistDir ?? defaults.uplotDistDir;
  const assets = new Map<string, DashboardAsset>();
  for (const file of listFiles(publicDir)) {
    const urlPath = relative(publicDir, file).split(sep).join("/");
    assets.set(urlPath === "index.html" ? "/" : `/assets/${urlPath}`, toAsset(file));
  }
  if (!assets.has("/")) throw new Error(`dashboard: ${join(publicDir, "index.html")} is missing`);
  for (const [served, file] of Object.entries(UPLOT_FILES)) {
    const path = join(uplotDir, file);
    try {
      assets.set(`/assets/vendor/${served}`, toAsset(path));
    } catch (error) {
      throw new Error(`dashboard: uPlot file ${path} is missing; is the uplot package installed?`, {
        cause: error,
      });
    }
  }
  return assets;
}
