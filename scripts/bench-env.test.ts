import { describe, expect, it } from "vitest";
import { withDatabase } from "./bench-env";

describe("withDatabase", () => {
  it("swaps the database name and keeps server and options", () => {
    expect(withDatabase("mongodb://127.0.0.1:27017/nba", "bench_1")).toBe("mongodb://127.0.0.1:27017/bench_1");
    expect(withDatabase("mongodb://u:p@h1:1,h2:2/app?replicaSet=rs0", "x")).toBe("mongodb://u:p@h1:1,h2:2/x?replicaSet=rs0");
    expect(withDatabase("mongodb+srv://cluster.example.net", "x")).toBe("mongodb+srv://cluster.example.net/x");
  });

  it("refuses something that is not a MongoDB connection string", () => {
    expect(() => withDatabase("postgres://h/db", "x")).toThrow(/MONGODB_URI/);
  });
});
