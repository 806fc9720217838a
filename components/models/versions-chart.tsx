import { formatMetric } from "@/components/format";
import type { VersionView } from "@/lib/training/versions";

/** Blue against orange stays distinct for the common colour-vision deficiencies; the lines also differ in dash and marker. */
const COLOURS = { log_loss: "#1d4ed8", auc: "#ea580c" } as const;

const W = 640;
const H = 220;
const PAD = { top: 16, right: 16, bottom: 32, left: 44 };

/**
 * Log loss and AUC of each successful version, oldest first, as one small SVG
 * drawn on the server. Screen readers get it as one image with a one-sentence
 * summary; every number is also in the versions table beside it.
 */
export function VersionsChart({ versions }: { versions: VersionView[] }) {
  const scored = versions
    .filter((v) => v.status === "succeeded" && v.metrics)
    .sort((a, b) => Date.parse(a.started_at) - Date.parse(b.started_at));
  if (scored.length === 0) return null;

  const top = Math.max(1, Math.ceil(Math.max(...scored.map((v) => v.metrics!.log_loss)) * 4) / 4);
  const ticks = Array.from({ length: Math.round(top / 0.25) + 1 }, (_, i) => i * 0.25);
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const x = (i: number) => PAD.left + (scored.length === 1 ? plotW / 2 : (i * plotW) / (scored.length - 1));
  const y = (value: number) => PAD.top + plotH - (Math.min(value, top) / top) * plotH;
  const line = (key: "log_loss" | "auc") => scored.map((v, i) => `${i === 0 ? "M" : "L"}${x(i).toFixed(1)},${y(v.metrics![key]).toFixed(1)}`).join(" ");

  const latest = scored.at(-1)!;
  const best = scored.reduce((a, b) => (b.metrics!.log_loss < a.metrics!.log_loss ? b : a));
  const summary =
    `Log loss and AUC across ${scored.length} version${scored.length === 1 ? "" : "s"}, oldest first. ` +
    `Newest (run ${latest.run_id}): log loss ${formatMetric(latest.metrics!.log_loss)}, AUC ${formatMetric(latest.metrics!.auc)}. ` +
    `Lowest log loss ${formatMetric(best.metrics!.log_loss)} (run ${best.run_id}). Every version's numbers are in the versions table.`;

  return (
    <figure className="space-y-2" aria-label="Log loss and AUC by version">
      <svg viewBox={`0 0 ${W} ${H}`} className="h-auto w-full max-w-2xl" role="img" aria-label={summary} data-testid="versions-chart" data-points={scored.length}>
        {ticks.map((t) => (
          <g key={t}>
            <line x1={PAD.left} x2={W - PAD.right} y1={y(t)} y2={y(t)} stroke="#e2e8f0" strokeDasharray="3 3" />
            <text x={PAD.left - 6} y={y(t) + 4} textAnchor="end" fontSize="12" fill="#334155">
              {t.toFixed(2)}
            </text>
          </g>
        ))}
        {scored.map((v, i) => (
          <text key={v.run_id} x={x(i)} y={H - 10} textAnchor="middle" fontSize="12" fill="#334155">
            #{i + 1}
          </text>
        ))}
        <path d={line("log_loss")} fill="none" stroke={COLOURS.log_loss} strokeWidth="2" />
        <path d={line("auc")} fill="none" stroke={COLOURS.auc} strokeWidth="2" strokeDasharray="6 4" />
        {scored.map((v, i) => (
          <g key={v.run_id}>
            <circle cx={x(i)} cy={y(v.metrics!.log_loss)} r="4" fill={COLOURS.log_loss} />
            <rect x={x(i) - 4} y={y(v.metrics!.auc) - 4} width="8" height="8" fill={COLOURS.auc} />
          </g>
        ))}
      </svg>
      <figcaption className="flex flex-wrap gap-4 text-sm text-slate-700">
        <span className="inline-flex items-center gap-1">
          <svg width="28" height="10" aria-hidden="true">
            <line x1="0" x2="28" y1="5" y2="5" stroke={COLOURS.log_loss} strokeWidth="2" />
            <circle cx="14" cy="5" r="4" fill={COLOURS.log_loss} />
          </svg>
          Log loss (lower is better)
        </span>
        <span className="inline-flex items-center gap-1">
          <svg width="28" height="10" aria-hidden="true">
            <line x1="0" x2="28" y1="5" y2="5" stroke={COLOURS.auc} strokeWidth="2" strokeDasharray="6 4" />
            <rect x="10" y="1" width="8" height="8" fill={COLOURS.auc} />
          </svg>
          AUC (higher is better)
        </span>
        <span>Versions numbered oldest first.</span>
      </figcaption>
    </figure>
  );
}
