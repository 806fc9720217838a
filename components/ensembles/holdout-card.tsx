import { CalibrationChart, SeasonLossChart } from "@/components/ensembles/holdout-charts";
import { Card } from "@/components/ui";
import type { HoldoutSummary } from "@/lib/ensemble/holdout";

/** The latest build's held-out rows: calibration and log loss by season against the Elo baseline. */
export function HoldoutCard({ holdout, built }: { holdout: HoldoutSummary | null; built: boolean }) {
  return (
    <Card title="On held-out games" data-testid="holdout-card">
      {holdout ? (
        <div className="space-y-4">
          <p className="text-sm text-slate-700">
            The {holdout.n} meta training rows the latest build held out (the meta-model never saw them)
            {holdout.baseline ? (
              <>
                , compared with the Elo forecast they carry (<code>{holdout.baseline.column}</code>): log loss {holdout.log_loss.toFixed(4)} for
                the ensemble, {holdout.baseline.log_loss.toFixed(4)} for Elo alone. Lower is better.
              </>
            ) : (
              <>: log loss {holdout.log_loss.toFixed(4)}. The rows carry no Elo probability column to compare with.</>
            )}
          </p>
          <div className="grid grid-cols-1 gap-6 lg:grid-cols-2 [&>*]:min-w-0">
            <div>
              <h3 className="mb-2 font-semibold">Calibration</h3>
              <CalibrationChart holdout={holdout} />
            </div>
            <div>
              <h3 className="mb-2 font-semibold">Log loss by season</h3>
              {holdout.seasons.length > 0 ? (
                <SeasonLossChart holdout={holdout} />
              ) : (
                <p className="text-sm text-slate-700">The meta training rows have no season column.</p>
              )}
            </div>
          </div>
        </div>
      ) : (
        <p className="text-sm text-slate-700">{built ? "Build again to see calibration and log loss by season; builds from before they were recorded lack them." : "No builds yet."}</p>
      )}
    </Card>
  );
}
