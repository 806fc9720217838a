"use client";

import Link from "next/link";
import { useEffect } from "react";
import { buttonStyles } from "@/components/ui";

/** Shown when a page's data could not be read (most often: the database is not reachable). */
export default function PageError({ error, retry }: { error: unknown; retry: () => void }) {
  useEffect(() => {
    console.error(error);
  }, [error]);
  const digest = error instanceof Error ? (error as Error & { digest?: string }).digest : undefined;
  return (
    <div className="space-y-4" role="alert">
      <h1 className="text-2xl font-bold">This page could not be loaded</h1>
      <p className="text-slate-700">
        The server could not read the data for it. If the database or the worker was just starting, trying again usually works;
        otherwise check that the app was started with <code>npm start</code>.
      </p>
      {digest ? <p className="text-sm text-slate-600">Reference for the server log: <code>{digest}</code></p> : null}
      <div className="flex flex-wrap gap-2">
        <button type="button" className={buttonStyles.primary} onClick={() => retry()}>
          Try again
        </button>
        <Link href="/" className={buttonStyles.secondary}>
          Back to the overview
        </Link>
      </div>
    </div>
  );
}
