import { referenceScript } from "../../_lib/api-reference";

export const dynamic = "force-dynamic";

/**
 * The reference's script, from the app itself rather than a CDN. Asked for with
 * its current content hash (as the page does) it may be cached for a year; any
 * other address gets a short cache, so an upgrade is never hidden behind an old copy.
 */
export async function GET(req: Request) {
  const { body, hash } = referenceScript();
  const current = new URL(req.url).searchParams.get("v") === hash;
  const headers = {
    "content-type": "text/javascript; charset=utf-8",
    "cache-control": current ? "public, max-age=31536000, immutable" : "public, max-age=300",
    "x-content-type-options": "nosniff",
    etag: `"${hash}"`,
  };
  if (req.headers.get("if-none-match") === headers.etag) return new Response(null, { status: 304, headers });
  return new Response(body, { headers });
}
