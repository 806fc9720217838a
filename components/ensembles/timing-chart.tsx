"use client";

import { useId, useRef } from "react";
import { Bar, CartesianGrid, ComposedChart, Line, Tooltip, XAxis, YAxis } from "recharts";
import { useLayersOutOfTabOrder } from "@/components/charts/chart-layers";
import { formatMs } from "@/components/format";
import type { EnsembleRunView } from "@/lib/ensemble/service";

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

const SOURCE_WORDS: Record<Source, string> = { artifact: "from artifacts", retrained: "retrained" };

/** White diagonal stripes over the retrained colour, so "retrained" never depends on colour alone. */
const HATCH_CSS = `repeating-linear-gradient(45deg, ${SOURCE_COLOURS.retrained} 0 4px, #ffffff 4px 6px)`;

/**
 * One stacked bar per build: each base model's time, coloured by where it came
 * from (loaded from artifacts or retrained), then the meta-model fit; the line
 * is the build's total time. Screen readers get a one-sentence summary and the
 * same numbers as a table; the picture itself is one image, not a tab stop.
 */
export function TimingChart({ runs }: { runs: EnsembleRunView[] }) {
  const hatchId = `retrained-hatch-${useId().replace(/[^A-Za-z0-9_-]/g, "")}`;
  const chartRef = useRef<HTMLDivElement>(null);
  useLayersOutOfTabOrder(chartRef);
  const ordered = [...runs].sort((a, b) => Date.parse(a.started_at) - Date.parse(b.started_at));
  const series = new Map<string, Series>();
  const data = ordered.map((run, i) => {
    const row: Record<string, number | string | null> = { run: `#${i + 1}`, meta: run.meta_ms ?? 0, total: run.total_ms };
    for (const b of run.base) {
      const key = `${b.model_id}:${b.source}`;
      if (!series.has(key)) series.set(key, { key, label: `${b.model_name ?? b.model_id} (${SOURCE_WORDS[b.source]})`, source: b.source });
      row[key] = Math.round(b.ms * 10) / 10;
    }
    return row;
  });

  const latest = ordered.at(-1);
  const summary = latest
    ? `Build time per build, ${ordered.length} build${ordered.length === 1 ? "" : "s"}. Latest: ${formatMs(latest.total_ms)} in total, ${latest.base.filter((b) => b.source === "retrained").length} of ${latest.base.length} base models retrained. Every build's times follow as a table.`
    : "No builds yet.";

  // Table columns: one per base model that appears in any build, in first-seen order.
  const baseModels = new Map<string, string>();
  for (const run of ordered) for (const b of run.base) baseModels.set(b.model_id, b.model_name ?? b.model_id);

  return (
    <figure className="space-y-3" aria-label="Build times chart">
      <div ref={chartRef} data-testid="timing-chart" role="img" aria-label={summary} className="h-80 w-full min-w-0">
        {/* accessibilityLayer off: its keyboard tooltip made the SVG an unnamed "application" tab stop inside this image. */}
        <ComposedChart
          responsive
          accessibilityLayer={false}
          style={{ width: "100%", height: "100%" }}
          data={data}
          margin={{ top: 24, right: 16, bottom: 4, left: 8 }}
        >
          <defs>
            <pattern id={hatchId} width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
              <rect width="6" height="6" fill={SOURCE_COLOURS.retrained} />
              <rect width="2" height="6" fill="#ffffff" />
            </pattern>
          </defs>
          <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e2e8f0" />
          <XAxis dataKey="run" tick={{ fill: "#334155", fontSize: 12 }} />
          <YAxis tickFormatter={(v: number) => formatMs(v)} tick={{ fill: "#334155", fontSize: 12 }} width={64} />
          <Tooltip formatter={(value) => formatMs(Number(value))} />
          {[...series.values()].map((s) => (
            <Bar
              key={s.key}
              dataKey={s.key}
              name={s.label}
              stackId="build"
              fill={s.source === "retrained" ? `url(#${hatchId})` : SOURCE_COLOURS[s.source]}
              stroke="#ffffff"
              strokeWidth={1}
              isAnimationActive={false}
            />
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
      {/* sr-only on a wrapper: a table is never narrower than its content, so it would not clip itself. */}
      <div className="sr-only">
        <table data-testid="timing-table">
          <caption>Build times per build: each base model (and where it came from), the meta-model fit and the total</caption>
          <thead>
            <tr>
              <th scope="col">Build</th>
              {[...baseModels.values()].map((name, i) => (
                <th key={`${name}-${i}`} scope="col">
                  {name}
                </th>
              ))}
              <th scope="col">Meta-model fit</th>
              <th scope="col">Total</th>
            </tr>
          </thead>
          <tbody>
            {ordered.map((run, i) => (
              <tr key={`${run.started_at}-${i}`}>
                <th scope="row">#{i + 1}</th>
                {[...baseModels.keys()].map((id) => {
                  const b = run.base.find((x) => x.model_id === id);
                  return <td key={id}>{b ? `${formatMs(b.ms)}, ${SOURCE_WORDS[b.source]}` : "not in this build"}</td>;
                })}
                <td>{formatMs(run.meta_ms)}</td>
                <td>{formatMs(run.total_ms)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <figcaption>
        <ul className="flex flex-wrap gap-x-5 gap-y-1 text-sm text-slate-800" aria-label="Chart legend">
          <LegendItem swatch={SOURCE_COLOURS.artifact} label="Base model loaded from artifacts" />
          <LegendItem swatch={HATCH_CSS} label="Base model retrained (striped)" />
          <LegendItem swatch={SOURCE_COLOURS.meta} label="Meta-model fit" />
          <LegendItem swatch={SOURCE_COLOURS.total} label="Total build time (line)" line />
        </ul>
      </figcaption>
    </figure>
  );
}

/** `swatch` is any CSS background: a colour, or the retrained stripes. */
function LegendItem({ swatch, label, line = false }: { swatch: string; label: string; line?: boolean }) {
  return (
    <li className="flex items-center gap-2">
      <span aria-hidden="true" className={line ? "h-0.5 w-5" : "h-3 w-3 rounded-sm"} style={{ background: swatch }} />
      {label}
    </li>
  );
}
