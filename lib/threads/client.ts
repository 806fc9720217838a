import type { Worker } from "node:worker_threads";
import { ValidationError } from "@/lib/errors";
import { childLogger } from "@/lib/log";
import type { Answer } from "./serve";

/**
 * CPU-bound work (parsing a large CSV, replaying a games history) runs in a
 * worker thread, so the web server's event loop keeps answering. One class for
 * the caller's side (here) and one function for the thread's (./serve): requests are numbered,
 * a refusal comes back as the ValidationError it was, and an idle thread stops.
 */

const log = childLogger("threads");

/** A worker left idle this long is stopped, giving back the memory a large job used. */
const IDLE_MS = 30_000;

/**
 * Next.js bundles a worker's entry (it recognises `new Worker(new URL(...))`);
 * scripts and tests run from the TypeScript source, which tsx loads, as it loads
 * the job worker. With a bundled entry the loader is present but has nothing to do.
 */
export const TS_LOADER = ["--require", "tsx/cjs"];


interface Waiting<Res> {
  resolve(value: Res): void;
  reject(err: Error): void;
}

/**
 * The caller's side of one worker thread. `start` must be written as
 * `() => new Worker(new URL("./entry.ts", import.meta.url), { execArgv: TS_LOADER })`
 * where it is used, so the bundler sees the entry. Requests queue in the thread
 * one after another: large jobs wait for each other instead of taking every core.
 */
export class ThreadClient<Req, Res> {
  private worker: Worker | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  private nextId = 1;
  private started = 0;
  private readonly waiting = new Map<number, Waiting<Res>>();

  constructor(
    private readonly name: string,
    private readonly start: () => Worker,
    /** The sentence a caller gets when the thread dies under its request. */
    private readonly stoppedMessage: string,
  ) {}

  /** Whether a request is waiting for the thread. */
  get busy(): boolean {
    return this.waiting.size > 0;
  }

  /** Which start of the thread is running (each start counts one), or null when none is: what a thread was given lives as long as its start. */
  get generation(): number | null {
    return this.worker ? this.started : null;
  }

  run(request: Req): Promise<Res> {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    this.worker ??= this.startWorker();
    this.worker.ref();
    const id = this.nextId++;
    return new Promise<Res>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker?.postMessage({ id, request });
    });
  }

  private failAll(err: Error): void {
    for (const w of this.waiting.values()) w.reject(err);
    this.waiting.clear();
  }

  private startWorker(): Worker {
    const w = this.start();
    this.started++;
    w.on("message", (answer: Answer<Res>) => {
      const entry = this.waiting.get(answer.id);
      if (!entry) return;
      this.waiting.delete(answer.id);
      if (answer.ok) entry.resolve(answer.value);
      else if ("refusal" in answer) entry.reject(new ValidationError(answer.refusal.message, answer.refusal.fields));
      else entry.reject(new Error(`${this.name}: ${answer.failure}`));
      this.settle(w);
    });
    w.on("error", (err) => {
      log.error({ thread: this.name, err: err.message }, "worker thread failed");
      this.failAll(new Error(this.stoppedMessage));
    });
    w.on("exit", () => {
      if (this.worker === w) this.worker = null;
      this.failAll(new Error(this.stoppedMessage));
    });
    return w;
  }

  /** While work is waiting the worker keeps the process alive; once idle it does not, and stops after a while. */
  private settle(w: Worker): void {
    if (this.waiting.size > 0) return;
    w.unref();
    this.idleTimer = setTimeout(() => {
      if (this.worker === w && this.waiting.size === 0) {
        this.worker = null;
        void w.terminate();
      }
    }, IDLE_MS);
    this.idleTimer.unref();
  }
}

