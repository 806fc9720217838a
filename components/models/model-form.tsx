"use client";

import Link from "next/link";
import { useActionState, useCallback, useEffect, useMemo, useState } from "react";
import { IDLE, type ActionState } from "@/components/action-state";
import { FormErrorSummary, useFocusFirstInvalid } from "@/components/form-errors";
import { DatasetUploadForm, type UploadDatasetAction } from "@/components/datasets/upload-form";
import { FieldError, Hint, InputField, SelectField, describedBy, fieldIds, labelStyles, NameField, SeedField } from "@/components/field";
import { formatCount, formatSeconds, plural } from "@/components/format";
import { submitKeepingValues } from "@/components/submit-keeping-values";
import { Step, buttonStyles } from "@/components/ui";
import type { DatasetInfo } from "@/lib/datasets";
import type { AlgorithmInfo, HyperparameterField, HyperparameterSet } from "@/lib/ml/algorithms";
import type { Calibration } from "@/lib/ml/pipeline";

/** Asks the server for the expected training time (the cost models live with the algorithms). */
export type EstimateTraining = (input: { algorithm: string; hyperparameters: HyperparameterSet; rows: number; features: number }) => Promise<number | null>;

export interface ModelFormValues {
  name: string;
  algorithm: string;
  hyperparameters: Record<string, number | string>;
  features: string[];
  target: string;
  training_csv: string;
  calibration: Calibration;
  seed: number;
}

const LIKELY_TARGETS = /^(target|label|y|win|won|home_win|outcome|result)$/i;

function guessTarget(columns: string[]): string {
  return columns.find((c) => LIKELY_TARGETS.test(c)) ?? "";
}

function toText(values: Record<string, number | string>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, String(v)]));
}

/** A field's text as the value the server would accept (empty: the default), or "invalid" when it would refuse it. */
function fieldValue(f: HyperparameterField, raw: string | undefined): number | string | "invalid" {
  const text = raw?.trim() ?? "";
  if (text === "") return f.default;
  if (f.kind === "choice") return f.options.includes(text) ? text : "invalid";
  const v = Number(text);
  const inRange = (f.min === null || (f.minExclusive ? v > f.min : v >= f.min)) && (f.max === null || v <= f.max);
  return Number.isFinite(v) && (!f.integer || Number.isInteger(v)) && inRange ? v : "invalid";
}

/** One hyperparameter: a select for a choice, a number input otherwise; labelled with its name, hinted, with its errors. */
function HyperparameterControl({ f, value, errors, onChange }: { f: HyperparameterField; value: string; errors?: string[]; onChange: (value: string) => void }) {
  const key = `hyperparameters.${f.name}`;
  if (f.kind === "choice") {
    return (
      <SelectField field={key} label={<code>{f.name}</code>} errors={errors} hint={`${f.help} Default ${f.default}.`} name={key} value={value || f.default} onChange={(e) => onChange(e.target.value)}>
        {f.options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </SelectField>
    );
  }
  return (
    <InputField
      field={key}
      label={<code>{f.name}</code>}
      errors={errors}
      hint={`${f.help} ${f.min !== null && f.max !== null ? (f.minExclusive ? `Above ${f.min}, at most ${f.max}; ` : `Range ${f.min}–${f.max}; `) : ""}default ${f.default}.`}
      type="number"
      inputMode={f.integer ? "numeric" : "decimal"}
      step={f.integer ? 1 : "any"}
      min={f.min ?? undefined}
      max={f.max ?? undefined}
      placeholder={String(f.default)}
      value={value}
      onChange={(e) => onChange(e.target.value)}
    />
  );
}

export function ModelForm({
  action,
  estimateTraining,
  uploadAction,
  datasets,
  algorithms,
  initial,
  submitLabel,
  cancelHref,
}: {
  action: (prev: ActionState, formData: FormData) => Promise<ActionState>;
  estimateTraining: EstimateTraining;
  uploadAction: UploadDatasetAction;
  datasets: DatasetInfo[];
  algorithms: AlgorithmInfo[];
  initial: ModelFormValues;
  submitLabel: string;
  cancelHref: string;
}) {
  const [state, formAction, pending] = useActionState(action, IDLE);
  const [uploaded, setUploaded] = useState<DatasetInfo[]>([]);
  const [name, setName] = useState(initial.name);
  const [datasetPath, setDatasetPath] = useState(initial.training_csv);
  const [features, setFeatures] = useState<string[]>(initial.features);
  const [target, setTarget] = useState(() => initial.target || guessTarget(datasets.find((d) => d.path === initial.training_csv)?.columns ?? []));
  const [algorithm, setAlgorithm] = useState(initial.algorithm);
  const [hyper, setHyper] = useState<Record<string, Record<string, string>>>(() => {
    const values = Object.fromEntries(algorithms.map((a) => [a.name, Object.fromEntries(a.fields.map((f) => [f.name, String(f.default)]))]));
    values[initial.algorithm] = { ...values[initial.algorithm], ...toText(initial.hyperparameters) };
    return values;
  });
  const [calibration, setCalibration] = useState(initial.calibration);
  const [seed, setSeed] = useState(String(initial.seed));

  const allDatasets = useMemo(() => {
    const byPath = new Map<string, DatasetInfo>();
    for (const d of [...datasets, ...uploaded]) byPath.set(d.path, d);
    if (initial.training_csv && !byPath.has(initial.training_csv)) {
      byPath.set(initial.training_csv, {
        path: initial.training_csv,
        kind: "table",
        columns: [...initial.features, initial.target],
        rows: 0,
        bytes: 0,
        created_at: null,
      });
    }
    return [...byPath.values()];
  }, [datasets, uploaded, initial]);

  const dataset = allDatasets.find((d) => d.path === datasetPath) ?? null;
  const columns = useMemo(() => dataset?.columns ?? [], [dataset]);

  const chooseDataset = useCallback(
    (path: string, from: DatasetInfo[] = allDatasets) => {
      setDatasetPath(path);
      const cols = from.find((d) => d.path === path)?.columns ?? [];
      setFeatures((prev) => prev.filter((f) => cols.includes(f)));
      setTarget((prev) => (cols.includes(prev) ? prev : guessTarget(cols)));
    },
    [allDatasets],
  );

  const onUploaded = useCallback(
    (d: DatasetInfo) => {
      setUploaded((prev) => [...prev.filter((p) => p.path !== d.path), d]);
      chooseDataset(d.path, [...allDatasets, d]);
    },
    [allDatasets, chooseDataset],
  );

  useFocusFirstInvalid(state, "[data-model-form]");

  const chosen = algorithms.find((a) => a.name === algorithm) ?? algorithms[0];
  const fields = chosen.fields;
  const values = hyper[algorithm] ?? {};
  // null: not enough chosen yet; "invalid": a value the server would refuse, so no honest estimate.
  const request = useMemo(() => {
    if (!dataset || dataset.rows === 0 || features.length === 0) return null;
    const hyperparameters: HyperparameterSet = {};
    for (const f of fields) {
      const v = fieldValue(f, values[f.name]);
      if (v === "invalid") return "invalid";
      hyperparameters[f.name] = v;
    }
    return { algorithm, hyperparameters, rows: dataset.rows, features: features.length };
  }, [algorithm, dataset, features.length, fields, values]);
  const requestKey = JSON.stringify(request);
  const [estimate, setEstimate] = useState<{ key: string; seconds: number | null } | null>(null);
  useEffect(() => {
    if (request === null || request === "invalid") return;
    let current = true;
    // A short pause so typing a number asks once, not once per keystroke.
    const timer = setTimeout(() => {
      estimateTraining(request).then(
        (seconds) => current && setEstimate({ key: requestKey, seconds }),
        () => current && setEstimate({ key: requestKey, seconds: null }),
      );
    }, 150);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [estimateTraining, request, requestKey]);
  const seconds = estimate?.key === requestKey ? estimate.seconds : undefined;

  const errors = state.fieldErrors;
  const shown = new Set(["name", "training_csv", "features", "target", "algorithm", "calibration", "seed", ...fields.map((f) => `hyperparameters.${f.name}`)]);

  const toggleFeature = (col: string, on: boolean) =>
    setFeatures((prev) => (on ? [...prev.filter((f) => f !== col), col].sort((a, b) => columns.indexOf(a) - columns.indexOf(b)) : prev.filter((f) => f !== col)));

  return (
    <div className="space-y-6" data-model-form>
      <FormErrorSummary state={state} placed={shown} />

      <Step id="step-data" title="1. Training data">
        {/* Outside the model form (the upload below is a form of its own); a hidden input submits the choice. */}
        <SelectField
          field="training_csv"
          label="Dataset"
          errors={errors.training_csv}
          hint={allDatasets.length === 0 ? "No dataset yet: upload a CSV below." : "Pick a stored CSV, or upload a new one below."}
          value={datasetPath}
          onChange={(e) => chooseDataset(e.target.value)}
        >
          <option value="">Choose a dataset…</option>
          {allDatasets.map((d) => (
            <option key={d.path} value={d.path}>
              {d.path} ({d.rows ? `${formatCount(d.rows)} rows, ` : ""}
              {d.columns.length} columns)
            </option>
          ))}
        </SelectField>
        <details className="rounded-md border border-slate-200 p-3" open={allDatasets.length === 0}>
          <summary className="cursor-pointer text-sm font-medium text-court">Upload a new CSV</summary>
          <div className="mt-3">
            <DatasetUploadForm action={uploadAction} onUploaded={onUploaded} idPrefix="model-upload" />
          </div>
        </details>
      </Step>

      <form
        action={formAction}
        onSubmit={submitKeepingValues(formAction)}
        noValidate
        className="space-y-6"
        aria-label="Model settings"
        data-testid="model-form"
      >
        <input type="hidden" name="training_csv" value={datasetPath} />

        <Step id="step-columns" title="2. Name, features and target">
          <NameField label="Model name" errors={errors.name} value={name} onChange={setName} />
          <SelectField
            field="target"
            label="Target column (0 or 1)"
            errors={errors.target}
            hint="What the model predicts, e.g. whether the home team won."
            name="target"
            value={target}
            onChange={(e) => {
              const t = e.target.value;
              setTarget(t);
              setFeatures((prev) => prev.filter((f) => f !== t));
            }}
            disabled={columns.length === 0}
          >
            <option value="">{columns.length ? "Choose the target…" : "Choose a dataset first"}</option>
            {columns.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </SelectField>

          <fieldset
            aria-invalid={errors.features?.length ? true : undefined}
            aria-describedby={describedBy("features", errors.features, true)}
            data-testid="feature-picker"
          >
            <legend className={labelStyles}>
              Features <span className="font-normal text-slate-600">({features.length} of {Math.max(0, columns.length - (target ? 1 : 0))} chosen)</span>
            </legend>
            {columns.length === 0 ? (
              <p className="mt-1 text-sm text-slate-600">Choose a dataset to see its columns.</p>
            ) : (
              <>
                <div className="mt-2 flex flex-wrap gap-2">
                  <button type="button" className={`${buttonStyles.secondary} px-2 py-1 text-xs`} onClick={() => setFeatures(columns.filter((c) => c !== target))}>
                    Select all
                  </button>
                  <button type="button" className={`${buttonStyles.secondary} px-2 py-1 text-xs`} onClick={() => setFeatures([])}>
                    Clear
                  </button>
                </div>
                <div className="mt-2 grid grid-cols-1 gap-1 sm:grid-cols-2 lg:grid-cols-3">
                  {columns.map((c) => {
                    const isTarget = c === target;
                    const id = fieldIds(`feature-${c}`).input;
                    return (
                      <div key={c} className="flex items-center gap-2 rounded px-1 py-1 hover:bg-slate-50">
                        <input
                          id={id}
                          type="checkbox"
                          name="features"
                          value={c}
                          checked={!isTarget && features.includes(c)}
                          disabled={isTarget}
                          onChange={(e) => toggleFeature(c, e.target.checked)}
                          className="h-4 w-4 accent-court"
                        />
                        <label htmlFor={id} className={`font-mono text-sm ${isTarget ? "text-slate-500" : ""}`}>
                          {c}
                          {isTarget ? <span className="font-sans"> (target)</span> : null}
                        </label>
                      </div>
                    );
                  })}
                </div>
              </>
            )}
            <Hint name="features">Numeric columns known before the game starts (never the final score).</Hint>
            <FieldError name="features" errors={errors.features} />
          </fieldset>
        </Step>

        <Step id="step-algorithm" title="3. Algorithm and hyperparameters">
          <div className="grid gap-4 sm:grid-cols-3">
            <SelectField
              field="algorithm"
              label="Algorithm"
              errors={errors.algorithm}
              hint={chosen.description}
              name="algorithm"
              value={algorithm}
              onChange={(e) => setAlgorithm(e.target.value)}
            >
              {algorithms.map((a) => (
                <option key={a.name} value={a.name}>
                  {a.label}
                </option>
              ))}
            </SelectField>
            <SelectField
              field="calibration"
              label="Calibration"
              errors={errors.calibration}
              name="calibration"
              value={calibration}
              onChange={(e) => setCalibration(e.target.value as ModelFormValues["calibration"])}
            >
              <option value="none">None</option>
              <option value="sigmoid">Sigmoid (Platt)</option>
            </SelectField>
            <SeedField errors={errors.seed} value={seed} onChange={setSeed} />
          </div>

          <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3" data-testid="hyperparameters">
            {fields.map((f) => (
              <HyperparameterControl
                key={`${algorithm}-${f.name}`}
                f={f}
                errors={errors[`hyperparameters.${f.name}`]}
                value={values[f.name] ?? ""}
                onChange={(v) => setHyper((prev) => ({ ...prev, [algorithm]: { ...prev[algorithm], [f.name]: v } }))}
              />
            ))}
          </div>

          <p className="rounded-md bg-slate-100 px-3 py-2 text-sm" aria-live="polite" data-testid="training-estimate">
            {request === null ? (
              "Choose a dataset and at least one feature to see the expected training time."
            ) : request === "invalid" ? (
              "The expected training time appears once every hyperparameter is within its range."
            ) : seconds === undefined ? (
              "Estimating the training time…"
            ) : seconds === null ? (
              "The expected training time is not available right now."
            ) : (
              <>
                Expected training time: <strong>about {formatSeconds(seconds)}</strong> ({formatCount(dataset?.rows)} rows ×{" "}
                {plural(features.length, "feature")}, {chosen.label.toLowerCase()}).
              </>
            )}
          </p>
        </Step>

        <div className="flex flex-wrap items-center gap-3">
          <button type="submit" className={buttonStyles.primary} disabled={pending} data-testid="model-submit">
            {pending ? "Saving…" : submitLabel}
          </button>
          <Link href={cancelHref} className={buttonStyles.secondary}>
            Cancel
          </Link>
        </div>
      </form>
    </div>
  );
}
