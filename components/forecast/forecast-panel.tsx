"use client";

import { useActionState, useEffect, useMemo, useState } from "react";
import { InputField, SelectField } from "@/components/field";
import { FormErrorSummary, useFocusFirstInvalid } from "@/components/form-errors";
import { formatCount } from "@/components/format";
import { submitKeepingValues } from "@/components/submit-keeping-values";
import { Alert, Card, DataTable, buttonStyles, td } from "@/components/ui";
import type { EnsembleChoice } from "@/lib/forecast/choices";
import type { ForecastAnswer, GameForecast } from "@/lib/forecast/service";
import { FORECAST_IDLE, SCHEDULE_IDLE, type ForecastState, type ScheduleState } from "./forecast-state";
import { ProbabilityChart, percent } from "./probability-chart";

/** A games dataset as the page needs it: dates, and teams split into this season's and earlier ones. */
export interface GamesDatasetChoice {
  path: string;
  games: number;
  firstDate: string;
  lastDate: string;
  lastSeason: number;
  current: string[];
  earlier: string[];
}

type Action<S> = (prev: S, form: FormData) => Promise<S>;

function dayAfter(date: string): string {
  const t = Date.parse(`${date}T00:00:00Z`) + 86_400_000;
  return new Date(t).toISOString().slice(0, 10);
}

/**
 * The Forecast page's working part: choose an ensemble and a games dataset,
 * then forecast one game (two teams from the dataset and a date) or a whole
 * schedule CSV, whose answers download as CSV.
 */
export function ForecastPanel({
  ensembles,
  datasets,
  canForecast,
  forecastGame,
  forecastSchedule,
}: {
  ensembles: EnsembleChoice[];
  datasets: GamesDatasetChoice[];
  canForecast: boolean;
  forecastGame: Action<ForecastState>;
  forecastSchedule: Action<ScheduleState>;
}) {
  const usable = ensembles.filter((e) => e.usable);
  const unusable = ensembles.filter((e) => !e.usable);
  const [ensemble, setEnsemble] = useState(usable[0]?.id ?? "");
  const [datasetPath, setDatasetPath] = useState(datasets[0]?.path ?? "");
  const dataset = datasets.find((d) => d.path === datasetPath) ?? null;

  return (
    <div className="space-y-6">
      <Card title="Forecast with">
        <div className="grid grid-cols-1 gap-4 md:grid-cols-2">
          <SelectField field="ensemble" label="Ensemble" name={undefined} value={ensemble} onChange={(e) => setEnsemble(e.target.value)}>
            {usable.map((e) => (
              <option key={e.id} value={e.id}>
                {e.name}
              </option>
            ))}
          </SelectField>
          <SelectField
            field="games_dataset"
            label="Games dataset"
            name={undefined}
            value={datasetPath}
            onChange={(e) => setDatasetPath(e.target.value)}
            hint={dataset ? `${formatCount(dataset.games)} games from ${dataset.firstDate} to ${dataset.lastDate}. Features come only from results before the forecast's date.` : undefined}
          >
            {datasets.map((d) => (
              <option key={d.path} value={d.path}>
                {d.path}
              </option>
            ))}
          </SelectField>
        </div>
        {unusable.length > 0 ? (
          <details className="mt-3 text-sm text-slate-700" data-testid="unusable-ensembles">
            <summary className="cursor-pointer">
              {unusable.length === 1 ? "1 ensemble cannot forecast" : `${unusable.length} ensembles cannot forecast`}
            </summary>
            <ul className="mt-1 list-disc pl-5">
              {unusable.map((e) => (
                <li key={e.id}>
                  {e.name}: {e.reason}
                </li>
              ))}
            </ul>
          </details>
        ) : null}
        {!canForecast ? (
          <p className="mt-3 text-sm text-slate-700" data-testid="forecast-role-note">
            Forecasting needs an editor&apos;s role; you can look at the choices, but an editor has to run the forecast.
          </p>
        ) : null}
      </Card>

      {dataset ? (
        <>
          <OneGame key={dataset.path} action={forecastGame} ensemble={ensemble} dataset={dataset} />
          <Schedule action={forecastSchedule} ensemble={ensemble} dataset={dataset} />
        </>
      ) : null}
    </div>
  );
}

function TeamOptions({ dataset }: { dataset: GamesDatasetChoice }) {
  return (
    <>
      <optgroup label={`Teams of season ${dataset.lastSeason}`}>
        {dataset.current.map((t) => (
          <option key={t} value={t}>
            {t}
          </option>
        ))}
      </optgroup>
      {dataset.earlier.length > 0 ? (
        <optgroup label="Earlier teams">
          {dataset.earlier.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </optgroup>
      ) : null}
    </>
  );
}

const PLACED_GAME = new Set(["team1", "team2", "date", "neutral", "playoff"]);

function OneGame({ action: forecast, ensemble, dataset }: { action: Action<ForecastState>; ensemble: string; dataset: GamesDatasetChoice }) {
  const [state, action, pending] = useActionState(forecast, FORECAST_IDLE);
  const teams = [...dataset.current, ...dataset.earlier];
  const [team1, setTeam1] = useState(teams[0] ?? "");
  const [team2, setTeam2] = useState(teams[1] ?? "");
  const [date, setDate] = useState(dayAfter(dataset.lastDate));
  useFocusFirstInvalid(state, "#forecast-game-form");
  const answer = state.ok ? state.answer?.forecasts[0] ?? null : null;

  return (
    <Card title="One game">
      <div className="grid grid-cols-1 gap-6 lg:grid-cols-2 [&>*]:min-w-0">
        <form id="forecast-game-form" action={action} onSubmit={submitKeepingValues(action)} className="space-y-3" aria-label="Forecast one game" data-testid="forecast-form">
          <input type="hidden" name="ensemble" value={ensemble} />
          <input type="hidden" name="games_dataset" value={dataset.path} />
          <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">
            <SelectField field="team1" label="Home team (team 1)" errors={state.fieldErrors.team1} name="team1" value={team1} onChange={(e) => setTeam1(e.target.value)}>
              <TeamOptions dataset={dataset} />
            </SelectField>
            <SelectField field="team2" label="Visiting team (team 2)" errors={state.fieldErrors.team2} name="team2" value={team2} onChange={(e) => setTeam2(e.target.value)}>
              <TeamOptions dataset={dataset} />
            </SelectField>
          </div>
          <InputField
            field="date"
            label="Date"
            type="date"
            errors={state.fieldErrors.date}
            value={date}
            onChange={(e) => setDate(e.target.value)}
            hint={`Only results before this date count. The dataset's games run from ${dataset.firstDate} to ${dataset.lastDate}.`}
            required
          />
          <div className="flex flex-wrap gap-x-6 gap-y-2 text-sm">
            <label className="flex items-center gap-2">
              <input type="checkbox" name="neutral" className="h-4 w-4" /> Neutral court (no home advantage)
            </label>
            <label className="flex items-center gap-2">
              <input type="checkbox" name="playoff" className="h-4 w-4" /> Playoff game
            </label>
          </div>
          <FormErrorSummary state={state} placed={PLACED_GAME} />
          <button type="submit" className={buttonStyles.primary} disabled={pending || !ensemble}>
            {pending ? "Forecasting…" : "Forecast"}
          </button>
        </form>
        <div aria-live="polite">
          {answer ? <GameAnswer forecast={answer} ensembleName={state.answer?.ensemble_name ?? ""} /> : null}
        </div>
      </div>
    </Card>
  );
}

function GameAnswer({ forecast, ensembleName }: { forecast: GameForecast; ensembleName: string }) {
  const p = forecast.probability;
  const favourite = p >= 0.5 ? forecast.team1 : forecast.team2;
  return (
    <div className="space-y-3" data-testid="forecast-result">
      <p className="text-lg">
        <span className="font-semibold" data-testid="forecast-headline">
          {forecast.team1} wins with probability {percent(p)}
        </span>{" "}
        <span className="text-slate-700">
          ({forecast.team2} {percent(1 - p)}; {favourite} favoured)
        </span>
      </p>
      <p className="text-sm text-slate-700">
        {ensembleName}, {forecast.date} (season {forecast.season}){forecast.neutral ? ", neutral court" : ", at " + forecast.team1}
        {forecast.playoff ? ", playoffs" : ""}. Elo ratings entering the game: {forecast.team1} {Math.round(forecast.elo.rating1)}, {forecast.team2}{" "}
        {Math.round(forecast.elo.rating2)}.
      </p>
      <ProbabilityChart forecast={forecast} />
      <details className="text-sm">
        <summary className="cursor-pointer">Features the models were given</summary>
        <DataTable label="Features the models were given" testId="forecast-features" minWidth="min-w-[280px]" headers={["Feature", "Value"]}>
          <tbody>
            {Object.entries(forecast.features).map(([name, value]) => (
              <tr key={name}>
                <th scope="row" className={`${td} text-left font-mono text-xs font-normal`}>
                  {name}
                </th>
                <td className={`${td} tabular-nums`}>{Number.isInteger(value) ? value : value.toFixed(4)}</td>
              </tr>
            ))}
          </tbody>
        </DataTable>
      </details>
    </div>
  );
}

function Schedule({ action: forecast, ensemble, dataset }: { action: Action<ScheduleState>; ensemble: string; dataset: GamesDatasetChoice }) {
  const [state, action, pending] = useActionState(forecast, SCHEDULE_IDLE);
  useFocusFirstInvalid(state, "#forecast-schedule-form");
  return (
    <Card title="A schedule">
      <form
        id="forecast-schedule-form"
        action={action}
        onSubmit={submitKeepingValues(action)}
        className="max-w-xl space-y-3"
        aria-label="Forecast a schedule"
        data-testid="schedule-form"
      >
        <input type="hidden" name="ensemble" value={ensemble} />
        <input type="hidden" name="games_dataset" value={dataset.path} />
        <InputField
          field="schedule"
          label="Schedule CSV"
          type="file"
          accept=".csv,text/csv"
          required
          errors={state.fieldErrors.schedule}
          hint="One game per row with the columns date, team1, team2 (team 1 at home); neutral and playoff optional (0 or 1). Up to 500 games."
          className="file:mr-3 file:rounded file:border-0 file:bg-slate-100 file:px-2 file:py-1"
        />
        {state.message && !state.ok && !state.fieldErrors.schedule ? <FormErrorSummary state={state} placed={new Set(["schedule"])} /> : null}
        <button type="submit" className={buttonStyles.primary} disabled={pending || !ensemble}>
          {pending ? "Forecasting…" : "Forecast the schedule"}
        </button>
      </form>
      <div aria-live="polite" className="mt-4">
        {state.ok && state.answer && state.csv ? <ScheduleAnswer answer={state.answer} csv={state.csv} message={state.message} /> : null}
      </div>
    </Card>
  );
}

function ScheduleAnswer({ answer, csv, message }: { answer: ForecastAnswer; csv: string; message: string | null }) {
  const url = useMemo(() => URL.createObjectURL(new Blob([csv], { type: "text/csv" })), [csv]);
  useEffect(() => () => URL.revokeObjectURL(url), [url]);
  const baseNames = answer.forecasts[0]?.base_models.map((b) => b.name) ?? [];
  return (
    <div className="space-y-3" data-testid="schedule-result">
      <Alert tone="good">{message}</Alert>
      <a href={url} download="forecasts.csv" className={buttonStyles.secondary} data-testid="schedule-download">
        Download the forecasts (CSV)
      </a>
      <DataTable
        label="Schedule forecasts"
        testId="schedule-table"
        minWidth="min-w-[560px]"
        headers={["Date", "Home (team 1)", "Visitors (team 2)", "P(team 1 wins)", "Elo alone", ...baseNames]}
      >
        <tbody>
          {answer.forecasts.map((f, i) => (
            <tr key={`${f.date}-${f.team1}-${f.team2}-${i}`} data-testid="schedule-row">
              <th scope="row" className={`${td} whitespace-nowrap text-left font-normal`}>
                {f.date}
              </th>
              <td className={td}>{f.team1}</td>
              <td className={td}>{f.team2}</td>
              <td className={`${td} font-semibold tabular-nums`}>{percent(f.probability)}</td>
              <td className={`${td} tabular-nums`}>{percent(f.elo.probability)}</td>
              {f.base_models.map((b) => (
                <td key={b.model_id} className={`${td} tabular-nums`}>
                  {percent(b.probability)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </DataTable>
    </div>
  );
}
