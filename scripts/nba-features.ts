/**
 * npm run nba:features -- <games.csv> <out.csv> [--from-season 2000] [--to-season 2016] [--window 10]
 *
 * Turns a raw games file (date, season, team1, team2, score1, score2; neutral,
 * playoff and FiveThirtyEight's Elo columns optional) into the pre-game feature
 * table the models train on, the product's own Elo included. Exit codes: 0 done, 1 input unusable, 2 bad usage.
 */
import { parseArgs } from "node:util";
import { z } from "zod";
import { ValidationError } from "@/lib/errors";
import { convertGamesFile } from "@/lib/nba/convert";

const USAGE =
  "usage: npm run nba:features -- <games.csv> <out.csv> [--from-season YEAR] [--to-season YEAR] [--window N]";
const BAD_ROWS_SHOWN = 10;

const season = z.coerce.number().int("must be a whole year").min(1900).max(2200).optional();
const ArgsSchema = z.object({
  input: z.string().min(1),
  output: z.string().min(1),
  fromSeason: season,
  toSeason: season,
  window: z.coerce.number().int("must be a whole number").min(1).max(200).optional(),
});

function readArgs(argv: string[]): z.infer<typeof ArgsSchema> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      "from-season": { type: "string" },
      "to-season": { type: "string" },
      window: { type: "string" },
    },
  });
  if (positionals.length !== 2) throw new Error(`expected an input and an output file, got ${positionals.length} paths`);
  const parsed = ArgsSchema.safeParse({
    input: positionals[0],
    output: positionals[1],
    fromSeason: values["from-season"],
    toSeason: values["to-season"],
    window: values.window,
  });
  if (!parsed.success) {
    throw new Error(parsed.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; "));
  }
  return parsed.data;
}

async function main(): Promise<number> {
  let args: z.infer<typeof ArgsSchema>;
  try {
    args = readArgs(process.argv.slice(2));
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  try {
    const summary = await convertGamesFile(
      args.input,
      args.output,
      { fromSeason: args.fromSeason, toSeason: args.toSeason, window: args.window },
      (message) => console.log(`… ${message}`),
    );
    console.log(`games read:   ${summary.gamesRead}`);
    console.log(`bad rows:     ${summary.badRows.length}`);
    for (const bad of summary.badRows.slice(0, BAD_ROWS_SHOWN)) console.log(`  line ${bad.line}: ${bad.message}`);
    if (summary.badRows.length > BAD_ROWS_SHOWN) console.log(`  … and ${summary.badRows.length - BAD_ROWS_SHOWN} more`);
    console.log(`rows written: ${summary.rowsWritten} -> ${summary.output}`);
    const { read, parse, features, write, total } = summary.ms;
    console.log(`seconds:      ${(total / 1000).toFixed(2)} (read ${read} ms, parse ${parse} ms, features ${features} ms, write ${write} ms)`);
    return 0;
  } catch (err) {
    if (err instanceof ValidationError) {
      console.error(err.message);
      return 1;
    }
    throw err;
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
