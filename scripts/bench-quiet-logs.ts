// Imported first by the benchmark and evaluation scripts: the product logs one
// JSON line per event, which would bury their progress lines. LOG_LEVEL still wins.
process.env.LOG_LEVEL ??= "error";
export {};
