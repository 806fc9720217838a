import Link from "next/link";

export interface Step {
  title: string;
  done: boolean;
  href: string;
  action: string;
  detail: string;
}

/** The order things must happen in, with where each one stands (in words, not only colour). */
export function GettingStarted({ steps }: { steps: Step[] }) {
  const next = steps.findIndex((s) => !s.done);
  return (
    <section aria-labelledby="getting-started" className="rounded-lg border border-blue-200 bg-blue-50 p-4" data-testid="getting-started">
      <h2 id="getting-started" className="text-lg font-semibold text-blue-950">
        Getting started
      </h2>
      <ol className="mt-3 grid gap-3 md:grid-cols-4">
        {steps.map((s, i) => {
          const state = s.done ? "done" : i === next ? "next" : "later";
          return (
            <li
              key={s.title}
              className={`rounded-md border bg-white p-3 ${state === "next" ? "border-court ring-2 ring-court/30" : "border-slate-200"}`}
              aria-current={state === "next" ? "step" : undefined}
            >
              <p className="text-xs font-semibold uppercase tracking-wide text-slate-700">
                Step {i + 1} · {state === "done" ? "✓ done" : state === "next" ? "do this next" : "after that"}
              </p>
              <p className="mt-1 font-medium">{s.title}</p>
              <p className="mt-1 text-sm text-slate-700">{s.detail}</p>
              {state === "next" ? (
                <Link href={s.href} className="mt-2 inline-block text-sm font-medium text-court underline">
                  {s.action}
                </Link>
              ) : null}
            </li>
          );
        })}
      </ol>
    </section>
  );
}
