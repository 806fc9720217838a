import { saveDataset, type DatasetInfo } from "@/lib/datasets";

/**
 * A small learnable table: y = 1 when a noisy linear score of f1..f4 is positive.
 * Seeded so every run of a test sees the same rows.
 */
export function syntheticCsv(rows: number, seed = 7): string {
  let s = seed >>> 0;
  const rnd = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const lines = ["f1,f2,f3,f4,label"];
  for (let i = 0; i < rows; i++) {
    const f = [rnd() * 2 - 1, rnd() * 2 - 1, rnd() * 10, rnd()];
    const score = 1.5 * f[0] - f[1] + 0.1 * (f[2] - 5) + (rnd() - 0.5);
    lines.push(`${f.map((v) => v.toFixed(4)).join(",")},${score > 0 ? 1 : 0}`);
  }
  return lines.join("\n") + "\n";
}

export async function saveSyntheticDataset(name: string, rows = 300, seed = 7): Promise<DatasetInfo> {
  return saveDataset({ name, text: syntheticCsv(rows, seed) });
}

export const SMALL_FOREST = { n_estimators: 6, max_depth: 4, max_samples: 120 };
