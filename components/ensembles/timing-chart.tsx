"use client";

import { Bar, CartesianGrid, ComposedChart, Line, Tooltip, XAxis, YAxis } from "recharts";
import { formatMs } from "@/components/format";
import type { EnsembleRunView } from "@/lib/ensemble/views";

/** Blue against orange stays distinct for the common colour-vision deficiencies. */
export const SOURCE_COLOURS = {
  artifact: "#1d4ed8",
  retrained: "#ea580c",
  meta: "#64748b",
  total: "#0f172a",
} as const;

type Source = "artifact" | "retrained";

interface Series {
  key: string;
  label: string;
  source: Source;
}

/**
 * One stacked bar per build: each base model's time, coloured by where it came
 * from (loaded from artifacts or retrained), then the meta-model fit; the line
 * is the build's total time.
 */
export function TimingChart({ runs }: { runs: EnsembleRunView[] }) {
  const ordered = [...runs].sort((a, b) => Date.parse(a.started_at) - Date.parse(b.started_at));
  const series = new Map<string, Series>();
  const data = ordered.map((run, i) => {
    const row: Record<string, number | string | null> = { run: `#${i + 1}`, meta: run.meta_ms ?? 0, total: run.total_ms };
    for (const b of run.base) {
      const key = `${b.model_id}:${b.source}`;
      if (!series.has(key)) series.set(key, { key, label: `${b.model_name ?? b.model_id} (${b.source === "artifact" ? "from artifacts" : "retrained"})`, source: b.source });
      row[key] = Math.round(b.ms * 10) / 10;
    }
    return row;
  });

  const latest = ordered.at(-1);
  const summary = latest
    ? `Build time per run, ${ordered.length} run${ordered.length === 1 ? "" : "s"}. Latest: ${formatMs(latest.total_ms)} in total, ${latest.base.filter((b) => b.source === "retrained").length} of ${latest.base.length} base models retrained.`
    : "No builds yet.";

  return (
    <figure className="space-y-3">
      <div data-testid="timing-chart" role="img" aria-label={summary} className="h-80 w-full min-w-0">
        <ComposedChart responsive style={{ width: "100%", height: "100%" }} data={data} margin={{ top: 24, right: 16, bottom: 4, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e2e8f0" />
          <XAxis dataKey="run" tick={{ fill: "#334155", fontSize: 12 }} />
          <YAxis tickFormatter={(v: number) => formatMs(v)} tick={{ fill: "#334155", fontSize: 12 }} width={64} />
          <Tooltip formatter={(value) => formatMs(Number(value))} />
          {[...series.values()].map((s) => (
            <Bar key={s.key} dataKey={s.key} name={s.label} stackId="build" fill={SOURCE_COLOURS[s.source]} stroke="#ffffff" strokeWidth={1} isAnimationActive={false} />
          ))}
          <Bar dataKey="meta" name="Meta-model fit" stackId="build" fill={SOURCE_COLOURS.meta} stroke="#ffffff" strokeWidth={1} isAnimationActive={false} />
          <Line
            dataKey="total"
            name="Total build time"
            stroke={SOURCE_COLOURS.total}
            strokeWidth={2}
            dot={{ r: 4, fill: SOURCE_COLOURS.total }}
            isAnimationActive={false}
            label={{ position: "top", fill: "#0f172a", fontSize: 12, formatter: (v: unknown) => formatMs(Number(v)) }}
          />
        </ComposedChart>
      </div>
      <figcaption>
        <ul className="flex flex-wrap gap-x-5 gap-y-1 text-sm text-slate-800" aria-label="Chart legend">
          <LegendItem colour={SOURCE_COLOURS.artifact} label="Base model loaded from artifacts" />
          <LegendItem colour={SOURCE_COLOURS.retrained} label="Base model retrained" />
          <LegendItem colour={SOURCE_COLOURS.meta} label="Meta-model fit" />
          <LegendItem colour={SOURCE_COLOURS.total} label="Total build time (line)" line />
        </ul>
      </figcaption>
    </figure>
  );
}

function LegendItem({ colour, label, line = false }: { colour: string; label: string; line?: boolean }) {
  return (
    <li className="flex items-center gap-2">
      <span aria-hidden="true" className={line ? "h-0.5 w-5" : "h-3 w-3 rounded-sm"} style={{ backgroundColor: colour }} />
      {label}
    </li>
  );
}
