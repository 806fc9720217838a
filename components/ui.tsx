import Link from "next/link";
import type { ComponentProps, ReactNode } from "react";

/** Small presentational pieces usable from server and client components alike. */

export function PageHeader({ title, description, actions }: { title: string; description?: ReactNode; actions?: ReactNode }) {
  return (
    <div className="flex flex-wrap items-start justify-between gap-4">
      <div className="min-w-0 space-y-1">
        <h1 className="text-2xl font-bold break-words">{title}</h1>
        {description ? <div className="text-slate-700">{description}</div> : null}
      </div>
      {actions ? <div className="flex flex-wrap gap-2">{actions}</div> : null}
    </div>
  );
}

export function Card({ title, children, actions, className = "", ...rest }: { title?: ReactNode; actions?: ReactNode } & ComponentProps<"section">) {
  return (
    <section className={`rounded-lg border border-slate-200 bg-white p-3 shadow-sm sm:p-4 ${className}`} {...rest}>
      {title || actions ? (
        <div className="mb-3 flex flex-wrap items-center justify-between gap-2">
          {title ? <h2 className="text-lg font-semibold">{title}</h2> : <span />}
          {actions}
        </div>
      ) : null}
      {children}
    </section>
  );
}

const buttonBase =
  "inline-flex items-center justify-center gap-2 rounded-md px-3 py-2 text-sm font-medium transition-colors disabled:cursor-not-allowed disabled:opacity-60";

export const buttonStyles = {
  primary: `${buttonBase} bg-court text-white hover:bg-[#16336b]`,
  secondary: `${buttonBase} border border-slate-300 bg-white text-slate-800 hover:bg-slate-100`,
  danger: `${buttonBase} bg-hoop text-white hover:bg-[#a00d25]`,
  dangerOutline: `${buttonBase} border border-hoop bg-white text-hoop hover:bg-red-50`,
};

export function ButtonLink({ variant = "primary", ...props }: { variant?: keyof typeof buttonStyles } & ComponentProps<typeof Link>) {
  return <Link {...props} className={`${buttonStyles[variant]} ${props.className ?? ""}`} />;
}

type Tone = "neutral" | "good" | "warn" | "bad" | "info";

const toneStyles: Record<Tone, string> = {
  neutral: "border-slate-300 bg-slate-100 text-slate-800",
  good: "border-emerald-300 bg-emerald-50 text-emerald-900",
  warn: "border-amber-300 bg-amber-50 text-amber-900",
  bad: "border-red-300 bg-red-50 text-red-900",
  info: "border-blue-300 bg-blue-50 text-blue-900",
};

const toneIcons: Record<Tone, string> = { neutral: "•", good: "✓", warn: "!", bad: "✕", info: "…" };

/** A status pill: the word carries the meaning; the colour and icon only repeat it. */
export function Badge({ tone = "neutral", children, ...rest }: { tone?: Tone; children: ReactNode } & ComponentProps<"span">) {
  return (
    <span
      className={`inline-flex items-center gap-1 whitespace-nowrap rounded-full border px-2 py-0.5 text-xs font-medium ${toneStyles[tone]}`}
      {...rest}
    >
      <span aria-hidden="true">{toneIcons[tone]}</span>
      {children}
    </span>
  );
}

const STATUS_TONES: Record<string, Tone> = {
  trained: "good",
  succeeded: "good",
  present: "good",
  untrained: "neutral",
  queued: "info",
  training: "info",
  running: "info",
  failed: "bad",
  missing: "warn",
  corrupt: "bad",
};

/** A model or ensemble whose training or build is queued or running. */
export function StatusBadge({ status, label, ...rest }: { status: string; label?: string } & ComponentProps<"span">) {
  return (
    <Badge tone={STATUS_TONES[status] ?? "neutral"} {...rest}>
      {label ?? status}
    </Badge>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="rounded-lg border border-dashed border-slate-300 bg-white p-6 text-center">
      <p className="font-medium">{title}</p>
      {children ? <div className="mt-2 text-sm text-slate-700">{children}</div> : null}
    </div>
  );
}

/**
 * A table that scrolls sideways on narrow screens instead of squeezing its columns.
 * `relative` makes it the containing block of screen-reader-only text in its cells,
 * which would otherwise sit at its place far right and widen the page itself.
 */
export function TableScroll({ children, label, ...rest }: { children: ReactNode; label: string } & ComponentProps<"div">) {
  return (
    <div className="relative overflow-x-auto rounded-md border border-slate-200" role="region" aria-label={label} tabIndex={0} {...rest}>
      {children}
    </div>
  );
}

export const th = "whitespace-nowrap border-b border-slate-200 bg-slate-50 px-3 py-2 text-left text-xs font-semibold uppercase tracking-wide text-slate-700";
export const td = "border-b border-slate-100 px-3 py-2 align-top text-sm";

export function Alert({ tone = "bad", children, ...rest }: { tone?: Tone; children: ReactNode } & ComponentProps<"div">) {
  return (
    <div className={`rounded-md border px-3 py-2 text-sm ${toneStyles[tone]}`} {...rest}>
      {children}
    </div>
  );
}

export function DefinitionList({ items }: { items: Array<{ term: string; value: ReactNode; testId?: string }> }) {
  return (
    <dl className="grid grid-cols-1 gap-x-6 gap-y-2 text-sm sm:grid-cols-[max-content_1fr]">
      {items.map((item) => (
        <div key={item.term} className="contents">
          <dt className="font-medium text-slate-700">{item.term}</dt>
          <dd className="min-w-0 break-words" data-testid={item.testId}>
            {item.value}
          </dd>
        </div>
      ))}
    </dl>
  );
}

/** A numbered part of a long form: a titled section whose heading names it for assistive technology. */
export function Step({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section aria-labelledby={id} className="rounded-lg border border-slate-200 bg-white p-3 shadow-sm sm:p-4">
      <h2 id={id} className="mb-3 text-lg font-semibold">
        {title}
      </h2>
      <div className="space-y-4">{children}</div>
    </section>
  );
}

/** A table that scrolls sideways inside its own box on narrow screens, with plain column headers. */
export function DataTable({
  label,
  testId,
  minWidth,
  headers,
  children,
}: {
  label: string;
  testId: string;
  /** A Tailwind min-width class, e.g. "min-w-[760px]". */
  minWidth: string;
  headers: string[];
  /** The table's <tbody>. */
  children: ReactNode;
}) {
  return (
    <TableScroll label={label}>
      <table className={`w-full ${minWidth} border-collapse`} data-testid={testId}>
        <thead>
          <tr>
            {headers.map((h) => (
              <th key={h} scope="col" className={th}>
                {h}
              </th>
            ))}
          </tr>
        </thead>
        {children}
      </table>
    </TableScroll>
  );
}
