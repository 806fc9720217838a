"use client";

import Link from "next/link";
import { useActionState, useMemo, useState } from "react";
import { IDLE, type ActionState } from "@/components/action-state";
import { FormErrorSummary, useFocusFirstInvalid } from "@/components/form-errors";
import { FieldError, Hint, SelectField, describedBy, fieldIds, labelStyles, NameField, SeedField } from "@/components/field";
import { formatCount } from "@/components/format";
import { submitKeepingValues } from "@/components/submit-keeping-values";
import { Badge, StatusBadge, Step, buttonStyles } from "@/components/ui";
import type { DatasetInfo } from "@/lib/datasets";
import type { AlgorithmInfo } from "@/lib/ml/algorithms";

export interface BaseModelChoice {
  id: string;
  name: string;
  algorithm_label: string;
  target: string;
  features: string[];
  training_csv: string;
  status: string;
  artifacts_ok: boolean;
}

export function EnsembleForm({
  action,
  models,
  datasets,
  algorithms,
}: {
  action: (prev: ActionState, formData: FormData) => Promise<ActionState>;
  models: BaseModelChoice[];
  datasets: DatasetInfo[];
  /** Meta-model choices; the first is the default. */
  algorithms: Pick<AlgorithmInfo, "name" | "label">[];
}) {
  const [state, formAction, pending] = useActionState(action, IDLE);
  const [name, setName] = useState("");
  const [chosen, setChosen] = useState<string[]>([]);
  const [metaType, setMetaType] = useState(algorithms[0]?.name ?? "");
  const [datasetPath, setDatasetPath] = useState("");
  const [datasetTouched, setDatasetTouched] = useState(false);
  const [seed, setSeed] = useState("42");

  const chosenModels = useMemo(() => models.filter((m) => chosen.includes(m.id)), [models, chosen]);
  // Until someone picks a dataset, follow the first chosen model's training data.
  const effectiveDataset = datasetTouched ? datasetPath : (chosenModels[0]?.training_csv ?? datasetPath);
  const dataset = datasets.find((d) => d.path === effectiveDataset);
  const targets = [...new Set(chosenModels.map((m) => m.target))];
  const needed = [...new Set([...chosenModels.flatMap((m) => m.features), ...targets])];
  const missingColumns = dataset ? needed.filter((c) => !dataset.columns.includes(c)) : [];

  useFocusFirstInvalid(state, "[data-ensemble-form]");

  const errors = state.fieldErrors;
  const placed = new Set(["name", "base_model_ids", "meta_model_type", "meta_training_csv", "seed"]);

  return (
    <form
      action={formAction}
      onSubmit={submitKeepingValues(formAction)}
      noValidate
      className="space-y-6"
      aria-label="New ensemble"
      data-ensemble-form
      data-testid="ensemble-form"
    >
      <FormErrorSummary state={state} placed={placed} />

      <Step id="ens-bases" title="1. Base models">
        <fieldset aria-invalid={errors.base_model_ids?.length ? true : undefined} aria-describedby={describedBy("base_model_ids", errors.base_model_ids, true)}>
          <legend className={labelStyles}>
            Choose two or more <span className="font-normal text-slate-600">({chosen.length} chosen)</span>
          </legend>
          {models.length === 0 ? (
            <p className="mt-2 text-sm text-slate-700">
              No models yet. <Link className="text-court underline" href="/models/new">Create and train models</Link> first.
            </p>
          ) : (
            <ul className="mt-2 divide-y divide-slate-100 rounded-md border border-slate-200">
              {models.map((m) => {
                const id = fieldIds(`base-${m.id}`).input;
                return (
                  <li key={m.id} className="flex flex-wrap items-center gap-x-3 gap-y-1 px-3 py-2">
                    <input
                      id={id}
                      type="checkbox"
                      name="base_model_ids"
                      value={m.id}
                      checked={chosen.includes(m.id)}
                      onChange={(e) => setChosen((prev) => (e.target.checked ? [...prev, m.id] : prev.filter((x) => x !== m.id)))}
                      className="h-4 w-4 accent-court"
                    />
                    <label htmlFor={id} className="font-medium">
                      {m.name}
                    </label>
                    <span className="text-xs text-slate-600">
                      {m.algorithm_label} · target <code>{m.target}</code> · {m.features.length} features
                    </span>
                    <span className="ml-auto flex gap-2">
                      <StatusBadge status={m.status} />
                      {m.artifacts_ok ? (
                        <Badge tone="good">artifacts ready</Badge>
                      ) : (
                        <Badge tone="warn">will be retrained</Badge>
                      )}
                    </span>
                  </li>
                );
              })}
            </ul>
          )}
          <Hint name="base_model_ids">
            Models whose artifacts are present load in milliseconds; the others are retrained from their dataset during the build.
          </Hint>
          <FieldError name="base_model_ids" errors={errors.base_model_ids} />
          {targets.length > 1 ? (
            <p className="mt-1 text-sm text-amber-900">
              <span aria-hidden="true">! </span>These models predict different targets ({targets.join(", ")}); an ensemble needs one.
            </p>
          ) : null}
        </fieldset>
      </Step>

      <Step id="ens-meta" title="2. Meta-model">
        <NameField label="Ensemble name" errors={errors.name} value={name} onChange={setName} />
        <div className="grid gap-4 sm:grid-cols-2">
          <SelectField
            field="meta_model_type"
            label="Meta-model type"
            errors={errors.meta_model_type}
            hint="Learns how much to trust each base model's probability."
            name="meta_model_type"
            value={metaType}
            onChange={(e) => setMetaType(e.target.value)}
          >
            {algorithms.map((a) => (
              <option key={a.name} value={a.name}>
                {a.label}
              </option>
            ))}
          </SelectField>
          <SeedField errors={errors.seed} value={seed} onChange={setSeed} />
        </div>
        <SelectField
          field="meta_training_csv"
          label="Meta training dataset"
          errors={errors.meta_training_csv}
          hint="It must have every base model's feature columns and the target."
          name="meta_training_csv"
          value={effectiveDataset}
          onChange={(e) => {
            setDatasetTouched(true);
            setDatasetPath(e.target.value);
          }}
        >
          <option value="">Choose a dataset…</option>
          {datasets.map((d) => (
            <option key={d.path} value={d.path}>
              {d.path} ({formatCount(d.rows)} rows)
            </option>
          ))}
        </SelectField>
        {missingColumns.length ? (
          <p className="-mt-3 text-sm text-amber-900">
            <span aria-hidden="true">! </span>This dataset lacks {missingColumns.join(", ")}.
          </p>
        ) : null}
      </Step>

      <div className="flex flex-wrap items-center gap-3">
        <button type="submit" className={buttonStyles.primary} disabled={pending} data-testid="ensemble-submit">
          {pending ? "Saving…" : "Create ensemble"}
        </button>
        <Link href="/ensembles" className={buttonStyles.secondary}>
          Cancel
        </Link>
      </div>
    </form>
  );
}
