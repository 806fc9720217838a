import Link from "next/link";

/** Next and first-page links for a listing paged by cursor (`?after=`). */
export function Pager({ basePath, nextCursor, paged, shown }: { basePath: string; nextCursor: string | null; paged: boolean; shown: number }) {
  if (!nextCursor && !paged) return null;
  return (
    <nav aria-label="Pages" className="flex items-center gap-4 text-sm" data-testid="pager">
      <span className="text-slate-700">{shown} shown</span>
      {paged ? (
        <Link className="text-court underline" href={basePath}>
          First page
        </Link>
      ) : null}
      {nextCursor ? (
        <Link className="text-court underline" href={`${basePath}?after=${nextCursor}`} rel="next">
          Next page
        </Link>
      ) : null}
    </nav>
  );
}
