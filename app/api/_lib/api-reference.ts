import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

/**
 * The rendered API reference (/api/docs): Scalar's self-contained browser build,
 * served by the app itself (/api/docs/scalar.js). The app runs on closed networks
 * and its end-to-end tests have no internet, so nothing may come from a CDN; the
 * page's Content-Security-Policy holds every script, style and request to this origin.
 */

export const SCRIPT_PATH = "/api/docs/scalar.js";
export const DOCUMENT_PATH = "/api/openapi.json";

/** One file with everything the reference needs: it loads no further code. */
const BUNDLE_FILE = path.join(process.cwd(), "node_modules", "@scalar", "api-reference", "dist", "browser", "standalone.js");

let bundle: { body: Uint8Array<ArrayBuffer>; hash: string } | undefined;

/** The script and a hash of its content, read once per process. */
export function referenceScript(): { body: Uint8Array<ArrayBuffer>; hash: string } {
  if (!bundle) {
    const body = new Uint8Array(fs.readFileSync(BUNDLE_FILE));
    bundle = { body, hash: createHash("sha256").update(body).digest("hex").slice(0, 16) };
  }
  return bundle;
}

/** The script's address; the hash changes with its content, so that address may be cached for good. */
export function referenceScriptUrl(): string {
  return `${SCRIPT_PATH}?v=${referenceScript().hash}`;
}

/**
 * Only this origin's scripts run (no inline code, no eval) and every request
 * goes to this origin. Inline styles are allowed: the reference injects its
 * stylesheet and sets style attributes at run time.
 */
export const REFERENCE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

/** Options that would reach Scalar's servers are off: its web fonts, telemetry, the AI agent and MCP. */
const REFERENCE_OPTIONS = {
  withDefaultFonts: false,
  telemetry: false,
  agent: { disabled: true },
  mcp: { disabled: true },
  showDeveloperTools: "never",
  persistAuth: false,
  documentDownloadType: "json",
  // Its default label, "Models", would sit next to the API's own Models tag.
  modelsSectionLabel: "Schemas",
};

const escapeHtml = (text: string) => text.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/**
 * The page: configuration as data attributes on a JSON script block (data,
 * never executed, so no inline code is needed) and the bundle from this origin.
 */
export function referencePage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>NBA Ensemble Lab API reference</title>
<link rel="icon" href="/favicon.ico">
</head>
<body>
<noscript>The reference needs JavaScript. The OpenAPI document itself is at <a href="${DOCUMENT_PATH}">${DOCUMENT_PATH}</a>.</noscript>
<script id="api-reference" type="application/json" data-url="${DOCUMENT_PATH}" data-configuration="${escapeHtml(JSON.stringify(REFERENCE_OPTIONS))}"></script>
<script src="${escapeHtml(referenceScriptUrl())}"></script>
</body>
</html>
`;
}

/** Headers of the page: the policy above, no framing, no sniffing, no referrer, always revalidated. */
export const REFERENCE_PAGE_HEADERS = {
  "content-type": "text/html; charset=utf-8",
  "content-security-policy": REFERENCE_CSP,
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "cache-control": "no-cache",
};
