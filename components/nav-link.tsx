"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import type { ReactNode } from "react";

/** A main-navigation link that marks the section the person is in (aria-current, not colour alone). */
export function NavLink({ href, children }: { href: string; children: ReactNode }) {
  const pathname = usePathname();
  const current = href === "/" ? pathname === "/" : pathname === href || pathname.startsWith(`${href}/`);
  return (
    <Link
      href={href}
      aria-current={current ? "page" : undefined}
      className={`rounded px-1 py-0.5 text-sm ${current ? "font-semibold text-court underline decoration-2 underline-offset-8" : "text-slate-700 hover:text-court"}`}
    >
      {children}
    </Link>
  );
}
