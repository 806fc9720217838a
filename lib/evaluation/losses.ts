/**
 * Per-item losses of probability forecasts for a 0/1 outcome, so two forecasts
 * can be compared game by game (see pairedDifference). Their means equal the
 * log loss and Brier score of lib/ml/metrics.
 */

/** Same clipping as lib/ml/metrics, so means agree with its log loss. */
const LOG_LOSS_EPS = 1e-15;

function checkPair(y: readonly number[], p: readonly number[]): void {
  if (y.length !== p.length) throw new RangeError(`${y.length} outcomes but ${p.length} probabilities.`);
}

export function logLossPerItem(y: readonly number[], p: readonly number[]): number[] {
  checkPair(y, p);
  return y.map((label, i) => {
    const q = Math.min(1 - LOG_LOSS_EPS, Math.max(LOG_LOSS_EPS, p[i]));
    return label === 1 ? -Math.log(q) : -Math.log(1 - q);
  });
}

export function brierPerItem(y: readonly number[], p: readonly number[]): number[] {
  checkPair(y, p);
  return y.map((label, i) => (p[i] - label) ** 2);
}
