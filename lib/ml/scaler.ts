import { z } from "zod";
import { DimensionMismatchError, InvalidModelStateError, NotFittedError } from "./errors";

export interface ScalerState {
  type: "standard";
  mean: number[];
  scale: number[];
}

/** For validating scaler state read back from an artifact file. */
export const scalerStateSchema = z.object({
  type: z.literal("standard"),
  mean: z.array(z.number()),
  scale: z.array(z.number().positive()),
});

/**
 * z = (x - mean) / scale, per column, with the population standard deviation as
 * scale (as scikit-learn does). A constant column gets scale 1 so it maps to 0
 * instead of dividing by zero.
 */
export class StandardScaler {
  private mean: number[] | null = null;
  private scale: number[] | null = null;

  fit(X: number[][]): this {
    if (X.length === 0) throw new DimensionMismatchError("Cannot fit a scaler on zero rows.");
    const width = X[0].length;
    const mean = new Array<number>(width).fill(0);
    for (const row of X) {
      if (row.length !== width) throw new DimensionMismatchError(`Every row must have ${width} columns; found one with ${row.length}.`);
      for (let j = 0; j < width; j++) mean[j] += row[j];
    }
    for (let j = 0; j < width; j++) mean[j] /= X.length;

    // Two passes rather than sum-of-squares: no catastrophic cancellation on
    // columns with a large offset (e.g. season years).
    const sq = new Array<number>(width).fill(0);
    for (const row of X) {
      for (let j = 0; j < width; j++) {
        const d = row[j] - mean[j];
        sq[j] += d * d;
      }
    }
    this.mean = mean;
    this.scale = sq.map((s, j) => {
      const std = Math.sqrt(s / X.length);
      // A constant column can still show a rounding-level spread because its mean
      // is not exactly representable; treat that as zero variance.
      return std > 10 * Number.EPSILON * Math.max(1, Math.abs(mean[j])) ? std : 1;
    });
    return this;
  }

  transform(X: number[][]): number[][] {
    const { mean, scale } = this.fitted();
    const width = mean.length;
    // Plain loops, not a closure per row and cell: scoring a whole meta dataset runs through here.
    const out = new Array<number[]>(X.length);
    for (let i = 0; i < X.length; i++) {
      const row = X[i];
      if (row.length !== width) {
        throw new DimensionMismatchError(`Row ${i} has ${row.length} columns but the scaler was fitted on ${width}.`);
      }
      const scaled = new Array<number>(width);
      for (let j = 0; j < width; j++) scaled[j] = (row[j] - mean[j]) / scale[j];
      out[i] = scaled;
    }
    return out;
  }

  fitTransform(X: number[][]): number[][] {
    return this.fit(X).transform(X);
  }

  get columnCount(): number {
    return this.fitted().mean.length;
  }

  toJSON(): ScalerState {
    const { mean, scale } = this.fitted();
    return { type: "standard", mean: [...mean], scale: [...scale] };
  }

  static fromJSON(state: ScalerState): StandardScaler {
    const parsed = scalerStateSchema.safeParse(state);
    if (!parsed.success) {
      throw new InvalidModelStateError(`Scaler state is malformed: ${parsed.error.issues.map((i) => `${i.path.join(".") || "state"}: ${i.message}`).join("; ")}`);
    }
    if (parsed.data.mean.length !== parsed.data.scale.length) {
      throw new InvalidModelStateError(`Scaler state is malformed: ${parsed.data.mean.length} means but ${parsed.data.scale.length} scales.`);
    }
    const scaler = new StandardScaler();
    scaler.mean = [...parsed.data.mean];
    scaler.scale = [...parsed.data.scale];
    return scaler;
  }

  private fitted(): { mean: number[]; scale: number[] } {
    if (!this.mean || !this.scale) throw new NotFittedError("scaler");
    return { mean: this.mean, scale: this.scale };
  }
}
