"use client";

import { useActionState, useEffect, useRef, useState } from "react";
import { formatBytes } from "@/components/format";
import { Alert, buttonStyles } from "@/components/ui";
import { InputField, SelectField } from "@/components/field";
import type { DatasetInfo } from "@/lib/datasets";
import { submitKeepingValues } from "@/components/submit-keeping-values";
import { UPLOAD_IDLE, type UploadState } from "./upload-state";

/** The server action that stores the file; the page that shows this form passes it in. */
export type UploadDatasetAction = (prev: UploadState, formData: FormData) => Promise<UploadState>;

/** Server actions accept bodies up to experimental.serverActions.bodySizeLimit in next.config.ts (25 MB). */
const MAX_FORM_UPLOAD_BYTES = 24 * 1024 * 1024;

/** Upload a CSV (file + name). `onUploaded` lets an enclosing form pick the new dataset. */
export function DatasetUploadForm({
  action: upload,
  onUploaded,
  idPrefix = "upload",
}: {
  action: UploadDatasetAction;
  onUploaded?: (dataset: DatasetInfo) => void;
  idPrefix?: string;
}) {
  const [state, action, pending] = useActionState(upload, UPLOAD_IDLE);
  const [tooLarge, setTooLarge] = useState<string | null>(null);
  const nameRef = useRef<HTMLInputElement>(null);
  const formRef = useRef<HTMLFormElement>(null);
  const reported = useRef<DatasetInfo | null>(null);

  useEffect(() => {
    if (state.ok && state.dataset && reported.current !== state.dataset) {
      reported.current = state.dataset;
      formRef.current?.reset();
      onUploaded?.(state.dataset);
    }
  }, [state, onUploaded]);

  const fileName = `${idPrefix}-file`;
  const nameName = `${idPrefix}-name`;
  return (
    <form
      ref={formRef}
      action={action}
      onSubmit={(event) => {
        const file = (event.currentTarget.elements.namedItem("file") as HTMLInputElement | null)?.files?.[0];
        if (file && file.size > MAX_FORM_UPLOAD_BYTES) {
          event.preventDefault();
          setTooLarge(`${file.name} is ${formatBytes(file.size)}; this form takes files up to ${formatBytes(MAX_FORM_UPLOAD_BYTES)}. Larger files can be sent to POST /api/datasets.`);
          return;
        }
        setTooLarge(null);
        submitKeepingValues(action)(event);
      }}
      className="space-y-3"
      aria-label="Upload a CSV"
      data-testid="dataset-upload-form"
    >
      <InputField
        field={fileName}
        name="file"
        label="CSV file"
        errors={tooLarge ? [tooLarge] : state.fieldErrors.file}
        hint="A header row, then one row per game. Feature and target columns must be numbers; the target 0 or 1."
        type="file"
        accept=".csv,text/csv"
        required
        className="file:mr-3 file:rounded file:border-0 file:bg-slate-100 file:px-2 file:py-1"
        onChange={(e) => {
          const f = e.currentTarget.files?.[0];
          if (f && nameRef.current && !nameRef.current.value) {
            nameRef.current.value = f.name.replace(/\.csv$/i, "").replace(/[^A-Za-z0-9._-]+/g, "-");
          }
        }}
      />
      <InputField
        ref={nameRef}
        field={nameName}
        name="name"
        label="Dataset name"
        errors={state.fieldErrors.name}
        hint="Letters, digits, “.”, “_” and “-”. Leave empty to use the file name."
        type="text"
        maxLength={80}
        placeholder="e.g. games-2015"
      />
      <SelectField
        field={`${idPrefix}-kind`}
        name="kind"
        label="What the file holds"
        errors={state.fieldErrors.kind}
        defaultValue="auto"
        hint="Game results (date, season, team1, team2, score1, score2) become a games dataset: the product rates them with its own Elo, builds feature tables from them and forecasts any later date."
      >
        <option value="auto">Detect from the header</option>
        <option value="games">Game results (a games dataset)</option>
        <option value="table">A table of features and a target</option>
      </SelectField>
      <button type="submit" className={buttonStyles.primary} disabled={pending}>
        {pending ? "Uploading…" : "Upload CSV"}
      </button>
      <div aria-live="polite">
        {state.message ? (
          <Alert tone={state.ok ? "good" : "bad"} data-testid="upload-result">
            {state.message}
          </Alert>
        ) : null}
      </div>
    </form>
  );
}
