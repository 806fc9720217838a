import pino from "pino";
import { logLevelFromEnv } from "./config";

/**
 * One JSON line per event. Callers pass the ids that make a line useful
 * (model_id, run_id, path, bytes, ms) as the first argument.
 */
export const logger = pino({
  level: logLevelFromEnv(),
  base: { service: "nba-ensemble-lab" },
  timestamp: pino.stdTimeFunctions.isoTime,
});

export function childLogger(component: string) {
  return logger.child({ component });
}
