import { listJobs } from "@/lib/jobs/queue";
import { json, pageOf, route } from "../_lib/respond";

export const dynamic = "force-dynamic";

export const GET = route("viewer", async (req: Request) => json(await listJobs(pageOf(req))));
