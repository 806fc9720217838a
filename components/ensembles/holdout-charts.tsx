"use client";

import { useId, useRef } from "react";
import { Bar, BarChart, CartesianGrid, Line, LineChart, Tooltip, XAxis, YAxis } from "recharts";
import { useLayersOutOfTabOrder } from "@/components/charts/chart-layers";
import type { CalibrationBin, HoldoutSummary } from "@/lib/ensemble/holdout";

/** The ensemble in the app's blue; the Elo baseline in orange and dashed (or striped), so neither depends on colour alone. */
const COLOURS = { ensemble: "#1d428a", baseline: "#ea580c", perfect: "#64748b" } as const;

const pct = (p: number) => `${(p * 100).toFixed(1)}%`;
const loss = (v: number | null) => (v === null ? "—" : v.toFixed(4));

function baselineName(column: string): string {
  return column === "own_elo_prob1" ? "Elo (the product's own)" : column === "elo_prob1" ? "Elo (FiveThirtyEight's)" : column;
}

/**
 * Reliability diagram: for each band of predicted probability, how often team
 * 1 actually won, for the ensemble and for the Elo baseline; the diagonal is
 * perfect calibration. One named image with the numbers as a table.
 */
export function CalibrationChart({ holdout }: { holdout: HoldoutSummary }) {
  const chartRef = useRef<HTMLDivElement>(null);
  useLayersOutOfTabOrder(chartRef);
  const baseline = holdout.baseline ? baselineName(holdout.baseline.column) : null;
  const point = (b: CalibrationBin) => ({ x: b.mean_predicted, y: b.observed, n: b.n });
  const ensemble = holdout.calibration.ensemble.map(point);
  const elo = holdout.calibration.baseline?.map(point) ?? [];
  // One data row per x: recharts lines share the x axis, so each series fills its own key.
  const data = [
    { x: 0, perfect: 0 },
    ...ensemble.map((p) => ({ x: p.x, ensemble: p.y })),
    ...elo.map((p) => ({ x: p.x, baseline: p.y })),
    { x: 1, perfect: 1 },
  ].sort((a, b) => a.x - b.x);
  const worst = ensemble.reduce((w, p) => Math.max(w, Math.abs(p.y - p.x)), 0);
  const summary = `Calibration on ${holdout.n} held-out games: predicted chance of a team 1 win against how often team 1 won, in ${ensemble.length} bands${
    baseline ? `, for the ensemble and for ${baseline}` : ""
  }. The ensemble's largest gap from perfect calibration is ${pct(worst)}. The numbers follow as a table.`;

  return (
    <figure className="space-y-2" aria-label="Calibration chart">
      <div ref={chartRef} role="img" aria-label={summary} data-testid="calibration-chart" className="h-80 w-full min-w-0">
        <LineChart responsive accessibilityLayer={false} data={data} style={{ width: "100%", height: "100%" }} margin={{ top: 8, right: 16, bottom: 24, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
          <XAxis
            type="number"
            dataKey="x"
            domain={[0, 1]}
            ticks={[0, 0.2, 0.4, 0.6, 0.8, 1]}
            tickFormatter={(v: number) => `${Math.round(v * 100)}%`}
            tick={{ fill: "#334155", fontSize: 12 }}
            label={{ value: "Predicted chance team 1 wins", position: "insideBottom", offset: -16, fill: "#334155", fontSize: 12 }}
          />
          <YAxis
            type="number"
            domain={[0, 1]}
            ticks={[0, 0.2, 0.4, 0.6, 0.8, 1]}
            tickFormatter={(v: number) => `${Math.round(v * 100)}%`}
            tick={{ fill: "#334155", fontSize: 12 }}
            width={48}
          />
          <Tooltip formatter={(v) => pct(Number(v))} labelFormatter={(v) => `predicted ${pct(Number(v))}`} />
          <Line dataKey="perfect" name="Perfect calibration" stroke={COLOURS.perfect} strokeDasharray="2 4" dot={false} connectNulls isAnimationActive={false} />
          <Line dataKey="ensemble" name="Ensemble" stroke={COLOURS.ensemble} strokeWidth={2} dot={{ r: 4, fill: COLOURS.ensemble }} connectNulls isAnimationActive={false} />
          {baseline ? (
            <Line
              dataKey="baseline"
              name={baseline}
              stroke={COLOURS.baseline}
              strokeWidth={2}
              strokeDasharray="6 4"
              dot={{ r: 4, fill: "#ffffff", stroke: COLOURS.baseline, strokeWidth: 2 }}
              connectNulls
              isAnimationActive={false}
            />
          ) : null}
        </LineChart>
      </div>
      <div className="sr-only">
        <table data-testid="calibration-table">
          <caption>Calibration on held-out games: games, mean predicted chance and share won, per band</caption>
          <thead>
            <tr>
              <th scope="col">Band</th>
              <th scope="col">Ensemble: games</th>
              <th scope="col">Ensemble: predicted</th>
              <th scope="col">Ensemble: won</th>
              {baseline ? (
                <>
                  <th scope="col">{baseline}: games</th>
                  <th scope="col">{baseline}: predicted</th>
                  <th scope="col">{baseline}: won</th>
                </>
              ) : null}
            </tr>
          </thead>
          <tbody>
            {bands(holdout).map(({ from, to }) => {
              const e = holdout.calibration.ensemble.find((x) => x.from === from);
              const b = holdout.calibration.baseline?.find((x) => x.from === from);
              return (
                <tr key={from}>
                  <th scope="row">
                    {Math.round(from * 100)}–{Math.round(to * 100)}%
                  </th>
                  <td>{e?.n ?? 0}</td>
                  <td>{e ? pct(e.mean_predicted) : "—"}</td>
                  <td>{e ? pct(e.observed) : "—"}</td>
                  {baseline ? (
                    <>
                      <td>{b?.n ?? 0}</td>
                      <td>{b ? pct(b.mean_predicted) : "—"}</td>
                      <td>{b ? pct(b.observed) : "—"}</td>
                    </>
                  ) : null}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <figcaption>
        <ul className="flex flex-wrap gap-x-5 gap-y-1 text-sm text-slate-800" aria-label="Calibration chart legend">
          <LegendLine colour={COLOURS.ensemble} label="Ensemble (solid, filled dots)" />
          {baseline ? <LegendLine colour={COLOURS.baseline} dashed label={`${baseline} (dashed, open dots)`} /> : null}
          <LegendLine colour={COLOURS.perfect} dashed label="Perfect calibration (dotted diagonal)" />
        </ul>
      </figcaption>
    </figure>
  );
}

/**
 * Log loss per season of the held-out games, the ensemble's bar beside the Elo
 * baseline's (lower is better). One named image with the numbers as a table.
 */
export function SeasonLossChart({ holdout }: { holdout: HoldoutSummary }) {
  const chartRef = useRef<HTMLDivElement>(null);
  useLayersOutOfTabOrder(chartRef);
  const hatchId = `baseline-hatch-${useId().replace(/[^A-Za-z0-9_-]/g, "")}`;
  const baseline = holdout.baseline ? baselineName(holdout.baseline.column) : null;
  const data = holdout.seasons.map((s) => ({ season: String(s.season), ensemble: s.log_loss, baseline: s.baseline_log_loss }));
  const ahead = holdout.seasons.filter((s) => s.baseline_log_loss !== null && s.log_loss < s.baseline_log_loss).length;
  const summary = `Log loss by season on ${holdout.n} held-out games (lower is better): ensemble ${loss(holdout.log_loss)} overall${
    holdout.baseline ? `, ${baseline} ${loss(holdout.baseline.log_loss)}; the ensemble is lower in ${ahead} of ${holdout.seasons.length} seasons` : ""
  }. The numbers follow as a table.`;

  return (
    <figure className="space-y-2" aria-label="Log loss by season chart">
      <div ref={chartRef} role="img" aria-label={summary} data-testid="season-loss-chart" className="h-72 w-full min-w-0">
        <BarChart responsive accessibilityLayer={false} data={data} style={{ width: "100%", height: "100%" }} margin={{ top: 8, right: 16, bottom: 4, left: 8 }}>
          <defs>
            <pattern id={hatchId} width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
              <rect width="6" height="6" fill={COLOURS.baseline} />
              <rect width="2" height="6" fill="#ffffff" />
            </pattern>
          </defs>
          <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e2e8f0" />
          <XAxis dataKey="season" tick={{ fill: "#334155", fontSize: 12 }} />
          <YAxis tickFormatter={(v: number) => v.toFixed(2)} tick={{ fill: "#334155", fontSize: 12 }} width={48} domain={[0, "auto"]} />
          <Tooltip formatter={(v) => loss(Number(v))} />
          <Bar dataKey="ensemble" name="Ensemble" fill={COLOURS.ensemble} isAnimationActive={false} />
          {baseline ? <Bar dataKey="baseline" name={baseline} fill={`url(#${hatchId})`} stroke={COLOURS.baseline} isAnimationActive={false} /> : null}
        </BarChart>
      </div>
      <div className="sr-only">
        <table data-testid="season-loss-table">
          <caption>Log loss by season on held-out games (lower is better)</caption>
          <thead>
            <tr>
              <th scope="col">Season</th>
              <th scope="col">Games</th>
              <th scope="col">Ensemble</th>
              {baseline ? <th scope="col">{baseline}</th> : null}
            </tr>
          </thead>
          <tbody>
            {holdout.seasons.map((s) => (
              <tr key={s.season}>
                <th scope="row">{s.season}</th>
                <td>{s.n}</td>
                <td>{loss(s.log_loss)}</td>
                {baseline ? <td>{loss(s.baseline_log_loss)}</td> : null}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <figcaption>
        <ul className="flex flex-wrap gap-x-5 gap-y-1 text-sm text-slate-800" aria-label="Log loss chart legend">
          <LegendSwatch swatch={COLOURS.ensemble} label="Ensemble" />
          {baseline ? (
            <LegendSwatch swatch={`repeating-linear-gradient(45deg, ${COLOURS.baseline} 0 4px, #ffffff 4px 6px)`} label={`${baseline} (striped)`} />
          ) : null}
        </ul>
      </figcaption>
    </figure>
  );
}

/** Every band either series has games in, in order. */
function bands(holdout: HoldoutSummary): Array<{ from: number; to: number }> {
  const all = new Map<number, number>();
  for (const b of [...holdout.calibration.ensemble, ...(holdout.calibration.baseline ?? [])]) all.set(b.from, b.to);
  return [...all].sort((a, b) => a[0] - b[0]).map(([from, to]) => ({ from, to }));
}

function LegendLine({ colour, label, dashed = false }: { colour: string; label: string; dashed?: boolean }) {
  return (
    <li className="flex items-center gap-2">
      <span aria-hidden="true" className="w-6 border-t-2" style={{ borderColor: colour, borderStyle: dashed ? "dashed" : "solid" }} />
      {label}
    </li>
  );
}

function LegendSwatch({ swatch, label }: { swatch: string; label: string }) {
  return (
    <li className="flex items-center gap-2">
      <span aria-hidden="true" className="h-3 w-3 rounded-sm" style={{ background: swatch }} />
      {label}
    </li>
  );
}
