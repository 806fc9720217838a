import { REFERENCE_PAGE_HEADERS, referencePage } from "../_lib/api-reference";

export const dynamic = "force-dynamic";

/** Open to anyone, like the document it renders (see ../openapi.json/route.ts); trying a request still needs credentials. */
export async function GET() {
  return new Response(referencePage(), { headers: REFERENCE_PAGE_HEADERS });
}
