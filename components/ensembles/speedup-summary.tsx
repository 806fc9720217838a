import type { ReactNode } from "react";
import { formatMs, formatRatio, plural } from "@/components/format";
import type { BuildComparison } from "@/lib/ensemble/speedup";

/** The headline sentence: how much faster the latest build was than the last one that retrained. */
export function SpeedupSummary({ comparison }: { comparison: BuildComparison }) {
  let text: ReactNode;
  switch (comparison.kind) {
    case "no_runs":
      text = "No finished build yet. Build the ensemble to see how long loading the base models takes.";
      break;
    case "latest_retrained":
      text = `The latest build retrained ${plural(comparison.retrained, "base model")} (${formatMs(comparison.latest.total_ms)} in total), so there is nothing faster to compare it with yet. Build again: the fresh artifacts will load instead.`;
      break;
    case "no_reference":
      text = comparison.training ? (
        <>
          The latest build took {formatMs(comparison.latest.total_ms)}. Loading its base models from their artifacts took{" "}
          {formatMs(comparison.training.loadMs)}; training them took {formatMs(comparison.training.trainingMs)} (their latest
          training runs): <strong>{formatRatio(comparison.training.ratio)} less</strong>. No build so far had to retrain.
        </>
      ) : (
        `The latest build took ${formatMs(comparison.latest.total_ms)}, loading every base model from its artifacts. No build so far had to retrain, so there is no slower build to compare with.`
      );
      break;
    case "compared": {
      const times = `(${formatMs(comparison.latest.total_ms)} vs ${formatMs(comparison.reference.total_ms)})`;
      if (comparison.ratio >= 1.1) {
        text = (
          <>
            Latest build <strong>{formatRatio(comparison.ratio)} faster</strong> than the last build that retrained {times}.
          </>
        );
      } else if (comparison.ratio > 0.9) {
        text = `Latest build took about as long as the last build that retrained ${times}: these base models are quick to train, so loading their artifacts saves little.`;
      } else {
        text = `Latest build was slower than the last build that retrained ${times}, although it loaded every base model from its artifacts; the machine may have been busy. Build again to compare.`;
      }
      break;
    }
  }
  return (
    <p className="rounded-md border border-blue-200 bg-blue-50 px-3 py-2 text-sm text-blue-950" data-testid="speedup" data-kind={comparison.kind}>
      {text}
    </p>
  );
}
