// Seeds the demo (a games dataset, feature tables, three trained models, one ensemble) on an empty database.
import { disconnectDb } from "@/lib/db";
import { seedDemoIfEmpty } from "./seed-demo";

seedDemoIfEmpty((line) => console.error(`[seed] ${line}`))
  .then((r) => {
    console.error(r.seeded ? `[seed] demo ready in ${((r.ms ?? 0) / 1000).toFixed(1)} s` : `[seed] skipped: ${r.reason}`);
  })
  .catch((err: unknown) => {
    console.error(`[seed] failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  })
  .finally(() => disconnectDb());
