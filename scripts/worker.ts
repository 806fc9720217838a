// The job worker: trains models and builds ensembles outside the web server, so
// the dashboard and API stay responsive while CPU-heavy training runs. Start as
// many as you like (here or on other machines) against the same MONGODB_URI and
// ARTIFACT_DIR: each job is claimed by exactly one of them.
import { ConfigError, config } from "@/lib/config";
import { connectDb, connectionSettled, disconnectDb, redactUri } from "@/lib/db";
import { warmUpBuildCode } from "@/lib/ensemble/warm-up";
import { startWorker } from "@/lib/jobs/worker";
import { logger } from "@/lib/log";
import { sweepLeftovers } from "@/lib/training/orphans";
import { jobHandlers } from "./job-handlers";

async function main() {
  try {
    config();
    await connectDb();
    // The first job's queries would otherwise queue behind mongoose creating every collection and index.
    await connectionSettled();
  } catch (err) {
    console.error(`[worker] ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
  // Before claiming any job, while nobody waits: the first build then runs code V8 has compiled (lib/ensemble/warm-up.ts).
  const warmUpMs = await warmUpBuildCode().catch((err: unknown) => {
    logger.warn({ err: String(err) }, "warm-up failed; the first build runs colder");
    return null;
  });
  const worker = await startWorker({ handlers: jobHandlers });
  logger.info({ db: redactUri(config().mongodbUri), worker: worker.id, concurrency: config().workerConcurrency, warm_up_ms: warmUpMs === null ? null : Math.round(warmUpMs) }, "worker ready");
  // What crashes leave (unrecorded artifacts, temporary files, abandoned upload claims): never loaded, only space.
  const sweep = () => sweepLeftovers().catch((err: unknown) => logger.warn({ err: String(err) }, "sweep failed"));
  void sweep();
  const sweeper = setInterval(sweep, 60 * 60 * 1000);
  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    clearInterval(sweeper);
    // A job in the middle of a CPU-bound step cannot be interrupted; give the
    // clean stop a few seconds, then leave (the job is requeued by the next worker).
    setTimeout(() => process.exit(0), 5000).unref();
    await worker.stop(4000).catch(() => undefined);
    await disconnectDb().catch(() => undefined);
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown());
  process.on("SIGINT", () => void shutdown());
}

main().catch((err: unknown) => {
  console.error(`[worker] ${err instanceof ConfigError ? err.message : err instanceof Error ? err.stack : String(err)}`);
  process.exit(1);
});
