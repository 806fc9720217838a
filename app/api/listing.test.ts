import { beforeAll, describe, expect, it } from "vitest";
import { useTestEnv } from "@/lib/testing/env";
import { asRole, requestWith } from "@/lib/testing/identities";
import { saveSyntheticDataset } from "@/lib/testing/fixtures";
import { createModelConfig } from "@/lib/training/service";
import { GET as listJobs } from "./jobs/route";
import { GET as listModels } from "./models/route";

useTestEnv();
let req: ReturnType<typeof requestWith>;
const names: string[] = [];

beforeAll(async () => {
  req = requestWith(await asRole("viewer"));
  const data = await saveSyntheticDataset("paging", 100, 1);
  for (let i = 0; i < 7; i++) {
    names.push((await createModelConfig({ name: `page-${i}`, algorithm: "logistic_regression", features: ["f1"], target: "label", training_csv: data.path })).name);
  }
});

async function page(query: string) {
  const res = await listModels(req(`http://test/api/models${query}`), undefined as never);
  return { status: res.status, body: (await res.json()) as { models?: Array<{ name: string }>; next_cursor?: string | null; error?: string } };
}

describe("listings", () => {
  it("page through every model once, in creation order, with ?limit and ?cursor", async () => {
    const seen: string[] = [];
    let cursor: string | null | undefined = undefined;
    let pages = 0;
    do {
      const { status, body } = await page(`?limit=3${cursor ? `&cursor=${cursor}` : ""}`);
      expect(status).toBe(200);
      expect(body.models!.length).toBeLessThanOrEqual(3);
      seen.push(...body.models!.map((m) => m.name));
      cursor = body.next_cursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(names);
  });

  it("refuse a limit or cursor they cannot honour with a 400 naming it", async () => {
    for (const [query, word] of [["?limit=0", "limit"], ["?limit=201", "limit"], ["?limit=x", "limit"], ["?cursor=../x", "cursor"], ["?cursor[$gt]=", "cursor"], ["?sort=name", "sort"]] as const) {
      const { status, body } = await page(query);
      expect(status, query).toBe(400);
      expect(JSON.stringify(body), query).toContain(word);
    }
  });

  it("list jobs too, newest first", async () => {
    const res = await listJobs(req("http://test/api/jobs?limit=2"), undefined as never);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ jobs: [], next_cursor: null });
  });
});
