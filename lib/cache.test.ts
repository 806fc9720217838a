import { describe, expect, it, vi } from "vitest";
import { sharedRead } from "./cache";

/** A read that records when it started and resolves when told to. */
function controlledReads() {
  const started: number[] = [];
  const finish: Array<() => void> = [];
  let clock = 0;
  const read = () => {
    const n = started.push(++clock);
    return new Promise<number>((resolve) => finish.push(() => resolve(n)));
  };
  return { started, finish, read, tick: () => ++clock };
}

describe("sharedRead", () => {
  it("gives every caller a read that started after it asked, and shares it with the others waiting", async () => {
    const r = controlledReads();
    const first = sharedRead("test-a", r.read);
    // These arrive while read 1 is on the wire: it may have been answered before they asked, so they wait for read 2.
    const second = sharedRead("test-a", r.read);
    const third = sharedRead("test-a", r.read);
    expect(r.started).toHaveLength(1);
    r.finish[0]();
    expect(await first).toBe(1);
    // Read 2 is sent once the event loop has taken in what arrived with read 1's answer: a caller arriving now shares it.
    const late = sharedRead("test-a", r.read);
    expect(r.started).toHaveLength(1);
    await vi.waitFor(() => expect(r.started).toHaveLength(2));
    r.finish[1]();
    expect(await second).toBe(2);
    expect(await third).toBe(2);
    expect(await late).toBe(2);
    // Idle again: the next caller starts its own read.
    const fourth = sharedRead("test-a", r.read);
    expect(r.started).toHaveLength(3);
    r.finish[2]();
    expect(await fourth).toBe(3);
  });

  it("passes a failed read to the callers that shared it, and reads again for the next", async () => {
    let calls = 0;
    const failing = () => (++calls === 1 ? Promise.reject(new Error("down")) : Promise.resolve(calls));
    await expect(sharedRead("test-b", failing)).rejects.toThrow("down");
    await expect(sharedRead("test-b", failing)).resolves.toBe(2);
  });
});
