import mongoose from "mongoose";
import { Job } from "@/models/Job";
import { JobClaim } from "@/models/JobClaim";
import { Lock } from "@/models/Lock";

const ready = new Map<string, Promise<void>>();

/**
 * Builds the indexes locks and claims depend on before the first insert: a lock
 * taken before its unique index exists would not exclude anyone. Once per
 * database per process.
 */
export function ensureJobIndexes(): Promise<void> {
  const c = mongoose.connection;
  const key = `${c.host}:${c.port}/${c.name}`;
  let p = ready.get(key);
  if (!p) {
    p = Promise.all([Lock.createIndexes(), JobClaim.createIndexes(), Job.createIndexes()]).then(() => undefined);
    p.catch(() => ready.delete(key));
    ready.set(key, p);
  }
  return p;
}
