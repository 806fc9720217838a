import { checkHealth } from "@/lib/health";
import { json } from "../_lib/respond";

export const dynamic = "force-dynamic";

export async function GET() {
  const report = await checkHealth();
  const { ok, ...body } = report;
  return json(body, ok ? 200 : 503);
}
