// Adds up the runners' JSON reports into one closing line: "tests: N passed, N failed, N skipped".
import fs from "node:fs";
import path from "node:path";

const dir = process.argv[2];
let passed = 0, failed = 0, skipped = 0;
const read = (f) => { try { return JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")); } catch { return null; } };

const v = read("vitest.json");
if (v) {
  passed += v.numPassedTests ?? 0;
  failed += v.numFailedTests ?? 0;
  skipped += (v.numPendingTests ?? 0) + (v.numTodoTests ?? 0);
  console.log(`vitest: ${v.numPassedTests} passed, ${v.numFailedTests} failed, ${v.numPendingTests} skipped (${(v.testResults ?? []).length} files)`);
  if (v.numFailedTestSuites && !v.numFailedTests) failed += v.numFailedTestSuites;
} else {
  console.log("vitest: no report (the runner did not finish)");
  failed += 1;
}

const p = read("playwright.json");
if (p) {
  const s = p.stats ?? {};
  passed += s.expected ?? 0;
  failed += s.unexpected ?? 0;
  skipped += s.skipped ?? 0;
  console.log(`playwright: ${s.expected ?? 0} passed, ${s.unexpected ?? 0} failed, ${s.skipped ?? 0} skipped, ${s.flaky ?? 0} flaky`);
  if ((p.errors ?? []).length > 0) { failed += 1; console.log(`playwright: ${p.errors.length} error(s) outside tests`); }
} else {
  console.log("playwright: no report (the runner did not finish)");
  failed += 1;
}

console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
