// Validates the configuration and reaches the database once at start-up, so a bad
// MONGODB_URI or an unwritable artifact folder is one clear sentence, not a stack trace.
import { ConfigError, config } from "@/lib/config";
import { disconnectDb, redactUri } from "@/lib/db";
import { checkHealth } from "@/lib/health";

async function main() {
  try {
    const cfg = config();
    const health = await checkHealth();
    if (health.db !== "ok") throw new ConfigError(health.db);
    if (health.artifacts !== "ok") throw new ConfigError(health.artifacts);
    console.error(`[start] database ${redactUri(cfg.mongodbUri)} ok; artifacts in ${cfg.artifactDir}`);
  } catch (err) {
    console.error(`[start] ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  } finally {
    await disconnectDb();
  }
}

void main();
