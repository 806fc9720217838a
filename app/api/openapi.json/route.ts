import { NextResponse } from "next/server";
import { openApiDocument } from "../_lib/openapi";

export const dynamic = "force-dynamic";

/**
 * Readable without signing in, as API references usually are: it describes the
 * API and holds no data (no ids, names, settings or version of this server), and
 * whoever writes a script needs it before they have a token. The proxy's Host
 * allow-list still applies, as on every path.
 */
export async function GET() {
  return NextResponse.json(openApiDocument(), { headers: { "cache-control": "no-cache", "x-content-type-options": "nosniff" } });
}
