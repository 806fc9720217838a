import pino from "pino";

/**
 * One JSON line per event. Callers pass the ids that make a line useful
 * (model_id, run_id, path, bytes, ms) as the first argument.
 */
export const logger = pino({
  level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === "test" || process.env.VITEST ? "error" : "info"),
  base: { service: "nba-ensemble-lab" },
  timestamp: pino.stdTimeFunctions.isoTime,
});

export function childLogger(component: string) {
  return logger.child({ component });
}
