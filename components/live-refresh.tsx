"use client";

import { useRouter } from "next/navigation";
import { useEffect } from "react";

/** While something on the page is queued or training, re-reads the page's server data every few seconds. */
export function LiveRefresh({ active, everyMs = 2000 }: { active: boolean; everyMs?: number }) {
  const router = useRouter();
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => router.refresh(), everyMs);
    return () => clearInterval(timer);
  }, [active, everyMs, router]);
  return active ? (
    <p className="text-sm text-slate-700" role="status">
      Training in progress; this page updates by itself.
    </p>
  ) : null;
}
