// One versions step in a process of its own, for tests that kill it with SIGKILL midway:
//   node --import tsx lib/testing/steps.ts promote <model id> <run id>
//   node --import tsx lib/testing/steps.ts sweep <keep>
//   node --import tsx lib/testing/steps.ts train <model id>
// It connects, prints "ready", and starts the step when a line arrives on stdin,
// so the test can time its kill from the step's start rather than the process's.
import readline from "node:readline";
import { connectDb, disconnectDb } from "@/lib/db";
import { trainModel } from "@/lib/training/train";
import { promoteVersion, sweepVersions } from "@/lib/training/versions";

async function main(): Promise<void> {
  const [step, a, b] = process.argv.slice(2);
  await connectDb();
  process.stdout.write("ready\n");
  await new Promise<void>((resolve) => readline.createInterface({ input: process.stdin }).once("line", () => resolve()));
  if (step === "promote") await promoteVersion(a, b, { id: "crash-test", name: "crash test" }).catch(() => undefined);
  else if (step === "sweep") await sweepVersions(Number(a));
  else if (step === "train") await trainModel(a);
  process.stdout.write("done\n");
  await disconnectDb();
  process.exit(0);
}

void main();
