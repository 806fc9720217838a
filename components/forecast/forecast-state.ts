import type { ActionState } from "@/components/action-state";
import type { ForecastAnswer } from "@/lib/forecast/service";

/** What the one-game form's action hands back: the answer, or why not. */
export type ForecastState = ActionState & { answer: ForecastAnswer | null };

/** What the schedule form's action hands back: the answers, and the same as CSV for download. */
export type ScheduleState = ActionState & { answer: ForecastAnswer | null; csv: string | null };

export const FORECAST_IDLE: ForecastState = { ok: false, message: null, fieldErrors: {}, answer: null };
export const SCHEDULE_IDLE: ScheduleState = { ok: false, message: null, fieldErrors: {}, answer: null, csv: null };
