import { createHash } from "node:crypto";

/** The docs page and the Content-Security-Policy that lets only its own inline script and style run. */
export interface DocsPage {
  html: string;
  contentSecurityPolicy: string;
}

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1d2433}
header{background:#1d2433;color:#fff;padding:12px 20px;display:flex;gap:16px;align-items:center}
header input{flex:1;max-width:420px;padding:6px}
header a{color:#9cc3ff}
main{max-width:1100px;margin:0 auto;padding:16px}
details{background:#fff;border:1px solid #d8dde6;border-radius:6px;margin:8px 0}
summary{padding:8px 12px;cursor:pointer;font-family:ui-monospace,monospace}
.m{display:inline-block;min-width:56px;font-weight:700}.get{color:#1a7f37}.post{color:#9a6700}
.body{padding:8px 12px;border-top:1px solid #eef0f4}
pre{background:#0f1420;color:#d6e2ff;padding:8px;border-radius:4px;overflow:auto;max-height:360px}
label{display:block;margin:4px 0}label span{display:inline-block;min-width:140px;font-family:ui-monospace,monospace}`;

function sha256Source(text: string): string {
  return `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;
}

/**
 * A self-contained interactive API reference (no CDN, no external assets): it loads `openapiUrl`, lists every
 * operation with its parameters and responses, and can send requests with a bearer token. Operators paste tokens
 * here, so its CSP allows exactly its one inline script and style (by hash) and requests to this origin.
 */
export function renderDocsPage(openapiUrl: string): DocsPage {
  const script = renderScript(openapiUrl);
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>cml-telemetry API reference</title>
<link rel="icon" href="data:,">
<style>${STYLE}</style>
</head>
<body>
<header><strong>cml-telemetry API</strong><input id="token" type="password" placeholder="Bearer token (optional)" autocomplete="off"><a href="${openapiUrl}">openapi.json</a></header>
<main id="ops">Loading…</main>
<script>${script}</script>
</body>
</html>`;
  const contentSecurityPolicy = [
    "default-src 'none'",
    `script-src ${sha256Source(script)}`,
    `style-src ${sha256Source(STYLE)}`,
    "connect-src 'self'",
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
  return { html, contentSecurityPolicy };
}

function renderScript(openapiUrl: string): string {
  return `
(async () => {
  const spec = await (await fetch(${JSON.stringify(openapiUrl)})).json();
  const root = document.getElementById("ops");
  root.textContent = "";
  const text = (tag, value, cls) => { const el = document.createElement(tag); el.textContent = value; if (cls) el.className = cls; return el; };
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const box = document.createElement("details");
      const summary = document.createElement("summary");
      summary.append(text("span", method.toUpperCase(), "m " + method), " " + path + " — " + (op.summary || ""));
      box.append(summary);
      const body = document.createElement("div");
      body.className = "body";
      const inputs = {};
      for (const p of op.parameters || []) {
        const label = document.createElement("label");
        const input = document.createElement("input");
        input.placeholder = (p.required ? "required " : "") + (p.schema && p.schema.type || "");
        inputs[p.in + ":" + p.name] = input;
        label.append(text("span", p.name + " (" + p.in + ")"), input);
        body.append(label);
      }
      let bodyInput;
      if (op.requestBody) {
        bodyInput = document.createElement("textarea");
        bodyInput.rows = 4; bodyInput.cols = 60; bodyInput.placeholder = "JSON body";
        body.append(bodyInput);
      }
      body.append(text("div", "Responses: " + Object.keys(op.responses || {}).join(", ")));
      const button = text("button", "Send");
      const out = document.createElement("pre");
      button.onclick = async () => {
        let url = path;
        const query = new URLSearchParams();
        const headers = {};
        for (const [key, input] of Object.entries(inputs)) {
          const [where, name] = key.split(":");
          if (input.value === "") continue;
          if (where === "path") url = url.replace("{" + name + "}", encodeURIComponent(input.value));
          else if (where === "query") query.set(name, input.value);
          else headers[name] = input.value;
        }
        const token = document.getElementById("token").value;
        if (token) headers.authorization = "Bearer " + token;
        if (bodyInput) headers["content-type"] = "application/json";
        const q = query.toString();
        const res = await fetch(url + (q ? "?" + q : ""), { method: method.toUpperCase(), headers, body: bodyInput ? bodyInput.value : undefined });
        const type = res.headers.get("content-type") || "";
        out.textContent = res.status + " " + type + "\\n\\n" + (type.includes("event-stream") ? "(stream)" : await res.text());
      };
      body.append(button, out);
      box.append(body);
      root.append(box);
    }
  }
})();
`;
}
