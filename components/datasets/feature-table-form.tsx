"use client";

import { useActionState, useState } from "react";
import { InputField, SelectField } from "@/components/field";
import { FormErrorSummary, useFocusFirstInvalid } from "@/components/form-errors";
import { submitKeepingValues } from "@/components/submit-keeping-values";
import { Alert, buttonStyles } from "@/components/ui";
import { UPLOAD_IDLE, type UploadState } from "./upload-state";

export interface GamesDatasetOption {
  path: string;
  firstSeason: number;
  lastSeason: number;
}

const PLACED = new Set(["games_dataset", "name", "from_season", "to_season"]);

/**
 * Turns a games dataset into a training table: pre-game features (the product's
 * own Elo, rest, form, records) for every game of the chosen seasons, computed
 * from earlier results only, with the result as the target home_win.
 */
export function FeatureTableForm({ action: build, datasets }: { action: (prev: UploadState, form: FormData) => Promise<UploadState>; datasets: GamesDatasetOption[] }) {
  const [state, action, pending] = useActionState(build, UPLOAD_IDLE);
  const [path, setPath] = useState(datasets[0]?.path ?? "");
  const chosen = datasets.find((d) => d.path === path);
  useFocusFirstInvalid(state, "#feature-table-form");
  return (
    <form id="feature-table-form" action={action} onSubmit={submitKeepingValues(action)} className="space-y-3" aria-label="Build a feature table" data-testid="feature-table-form">
      <SelectField field="games_dataset" label="Games dataset" errors={state.fieldErrors.games_dataset} name="games_dataset" value={path} onChange={(e) => setPath(e.target.value)}>
        {datasets.map((d) => (
          <option key={d.path} value={d.path}>
            {d.path}
          </option>
        ))}
      </SelectField>
      <InputField field="name" label="Feature table name" errors={state.fieldErrors.name} type="text" maxLength={80} placeholder="e.g. games-features-2010" required />
      <div className="grid grid-cols-2 gap-3 [&>*]:min-w-0">
        <InputField
          field="from_season"
          label="From season"
          errors={state.fieldErrors.from_season}
          type="number"
          inputMode="numeric"
          placeholder={chosen ? String(chosen.firstSeason) : undefined}
          min={1900}
          max={2200}
        />
        <InputField
          field="to_season"
          label="To season"
          errors={state.fieldErrors.to_season}
          type="number"
          inputMode="numeric"
          placeholder={chosen ? String(chosen.lastSeason) : undefined}
          min={1900}
          max={2200}
        />
      </div>
      <p className="text-xs text-slate-700">Leave the seasons empty for all of them. Earlier seasons still count as history for the ratings and form.</p>
      <FormErrorSummary state={state} placed={PLACED} />
      <button type="submit" className={buttonStyles.primary} disabled={pending || datasets.length === 0}>
        {pending ? "Building…" : "Build feature table"}
      </button>
      <div aria-live="polite">
        {state.ok && state.message ? (
          <Alert tone="good" data-testid="feature-table-result">
            {state.message}
          </Alert>
        ) : null}
      </div>
    </form>
  );
}
