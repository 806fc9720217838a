"use server";

import { z } from "zod";
import { actionError } from "@/app/_lib/action-results";
import { requireActionRole } from "@/app/_lib/session";
import type { ForecastState, ScheduleState } from "@/components/forecast/forecast-state";
import { MAX_SCHEDULE_BYTES, forecastSchedule, forecastsToCsv } from "@/lib/forecast/schedule";
import { forecastGames } from "@/lib/forecast/service";

const text = (form: FormData, key: string) => {
  const v = form.get(key);
  return typeof v === "string" ? v : "";
};

/** The lib keys a lone game's fields as games.0.<field>; the form's fields are the bare names. */
function formFields(fields: Record<string, string[]>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [key, messages] of Object.entries(fields)) {
    const bare = key.startsWith("games.0.") ? key.slice("games.0.".length) : key.startsWith("base_models.") ? "ensemble" : key;
    out[bare] = [...(out[bare] ?? []), ...messages];
  }
  return out;
}

/** One game: ensemble, games dataset, teams, date, neutral and playoff checkboxes. */
export async function forecastGameAction(_prev: ForecastState, form: FormData): Promise<ForecastState> {
  try {
    await requireActionRole("editor");
    const answer = await forecastGames(text(form, "ensemble"), {
      games_dataset: text(form, "games_dataset"),
      games: [{ date: text(form, "date"), team1: text(form, "team1"), team2: text(form, "team2"), neutral: form.has("neutral"), playoff: form.has("playoff") }],
    });
    return { ok: true, message: null, fieldErrors: {}, answer };
  } catch (err) {
    const failed = actionError(err, "forecastGame");
    return { ...failed, fieldErrors: formFields(failed.fieldErrors), answer: null };
  }
}

const ScheduleFile = z
  .instanceof(File, { message: "choose a schedule CSV" })
  .refine((f) => f.size > 0, "the file is empty")
  .refine((f) => f.size <= MAX_SCHEDULE_BYTES, `a schedule is at most ${MAX_SCHEDULE_BYTES / 1024} KB (500 games)`);

/** Many games: a schedule CSV (date, team1, team2; neutral, playoff optional) forecast at once. */
export async function forecastScheduleAction(_prev: ScheduleState, form: FormData): Promise<ScheduleState> {
  try {
    await requireActionRole("editor");
    const file = ScheduleFile.safeParse(form.get("schedule"));
    if (!file.success) {
      const messages = file.error.issues.map((i) => i.message);
      return { ok: false, message: `Choose a schedule CSV to forecast: ${messages[0]}.`, fieldErrors: { schedule: messages }, answer: null, csv: null };
    }
    const answer = await forecastSchedule(text(form, "ensemble"), text(form, "games_dataset"), await file.data.text());
    return { ok: true, message: `Forecast ${answer.forecasts.length} game${answer.forecasts.length === 1 ? "" : "s"}.`, fieldErrors: {}, answer, csv: forecastsToCsv(answer) };
  } catch (err) {
    const failed = actionError(err, "forecastSchedule");
    const fieldErrors = Object.keys(failed.fieldErrors).some((k) => k.startsWith("games.") || k === "file") ? { schedule: [failed.message ?? ""] } : failed.fieldErrors;
    return { ...failed, fieldErrors, answer: null, csv: null };
  }
}
