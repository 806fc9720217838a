"use client";

import { useId, useRef } from "react";
import { Bar, BarChart, CartesianGrid, Cell, ReferenceLine, XAxis, YAxis } from "recharts";
import { useLayersOutOfTabOrder } from "@/components/charts/chart-layers";
import type { GameForecast } from "@/lib/forecast/service";

/** The ensemble stands out; base models share one colour; the Elo baseline is striped, so no bar depends on colour alone. */
export const PROBABILITY_COLOURS = { ensemble: "#1d428a", base: "#64748b", elo: "#ea580c" } as const;

export const percent = (p: number) => `${(p * 100).toFixed(1)}%`;

interface Row {
  label: string;
  kind: keyof typeof PROBABILITY_COLOURS;
  value: number;
}

function rowsOf(f: GameForecast): Row[] {
  return [
    { label: "Ensemble", kind: "ensemble", value: f.probability },
    ...f.base_models.map((b): Row => ({ label: b.name, kind: "base", value: b.probability })),
    { label: "Elo alone (baseline)", kind: "elo", value: f.elo.probability },
  ];
}

/**
 * One horizontal bar per forecaster: P(team 1 wins) from the ensemble, each
 * base model and the product's Elo, against the 50% line. One named image for
 * screen readers, with the same numbers in a table.
 */
export function ProbabilityChart({ forecast }: { forecast: GameForecast }) {
  const chartRef = useRef<HTMLDivElement>(null);
  useLayersOutOfTabOrder(chartRef);
  const rows = rowsOf(forecast);
  const hatchId = `elo-hatch-${useId().replace(/[^A-Za-z0-9_-]/g, "")}`;
  const summary = `Chance that ${forecast.team1} beats ${forecast.team2}: ensemble ${percent(forecast.probability)}, ${forecast.base_models
    .map((b) => `${b.name} ${percent(b.probability)}`)
    .join(", ")}, Elo alone ${percent(forecast.elo.probability)}. The same numbers follow as a table.`;
  return (
    <figure className="space-y-2" aria-label="Forecast by model">
      <div ref={chartRef} role="img" aria-label={summary} data-testid="probability-chart" className="w-full min-w-0" style={{ height: 56 + rows.length * 40 }}>
        <BarChart
          responsive
          accessibilityLayer={false}
          layout="vertical"
          data={rows}
          style={{ width: "100%", height: "100%" }}
          margin={{ top: 8, right: 56, bottom: 8, left: 8 }}
        >
          <defs>
            <pattern id={hatchId} width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
              <rect width="6" height="6" fill={PROBABILITY_COLOURS.elo} />
              <rect width="2" height="6" fill="#ffffff" />
            </pattern>
          </defs>
          <CartesianGrid strokeDasharray="3 3" horizontal={false} stroke="#e2e8f0" />
          <XAxis type="number" domain={[0, 1]} ticks={[0, 0.25, 0.5, 0.75, 1]} tickFormatter={(v: number) => `${Math.round(v * 100)}%`} tick={{ fill: "#334155", fontSize: 12 }} />
          <YAxis type="category" dataKey="label" width={170} tick={{ fill: "#334155", fontSize: 12 }} />
          <ReferenceLine x={0.5} stroke="#0f172a" strokeDasharray="4 3" />
          <Bar
            dataKey="value"
            isAnimationActive={false}
            label={{ position: "right", fill: "#0f172a", fontSize: 12, formatter: (v: unknown) => percent(Number(v)) }}
          >
            {rows.map((r) => (
              <Cell key={r.label} fill={r.kind === "elo" ? `url(#${hatchId})` : PROBABILITY_COLOURS[r.kind]} />
            ))}
          </Bar>
        </BarChart>
      </div>
      <div className="sr-only">
        <table data-testid="probability-table">
          <caption>
            Chance that {forecast.team1} beats {forecast.team2}, by model
          </caption>
          <thead>
            <tr>
              <th scope="col">Model</th>
              <th scope="col">P({forecast.team1} wins)</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.label}>
                <th scope="row">{r.label}</th>
                <td>{percent(r.value)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <figcaption className="text-xs text-slate-700">
        Bars: P({forecast.team1} wins). The dashed line is 50%; the striped bar is the product&apos;s Elo alone, the baseline the ensemble is measured against.
      </figcaption>
    </figure>
  );
}
