import { identify } from "@/lib/auth/identity";
import { checkHealth } from "@/lib/health";
import { json } from "../_lib/respond";

export const dynamic = "force-dynamic";

/** Without credentials only "ok" or "failed" (for load balancers); signed-in callers also see which part failed. */
export async function GET(req: Request) {
  const report = await checkHealth();
  const { ok, ...details } = report;
  const who = await identify(req.headers).catch(() => null);
  const status = ok ? "ok" : "failed";
  return json(who ? { status, ...details } : { status }, ok ? 200 : 503);
}
