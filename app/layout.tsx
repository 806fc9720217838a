import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { Providers } from "@/components/providers";
import "./globals.css";

export const metadata: Metadata = {
  title: "NBA Ensemble Lab",
  description: "Train NBA prediction models once, keep their artifacts, and stack them into ensembles without retraining.",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen bg-slate-50 text-slate-900 antialiased">
        <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:m-2 focus:rounded focus:bg-white focus:p-2">
          Skip to content
        </a>
        <header className="border-b border-slate-200 bg-white">
          <nav aria-label="Main" className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-3">
            <Link href="/" className="text-lg font-semibold text-court">
              NBA Ensemble Lab
            </Link>
            <Link href="/" className="text-sm text-slate-700 hover:text-court">Overview</Link>
            <Link href="/models" className="text-sm text-slate-700 hover:text-court">Models</Link>
            <Link href="/ensembles" className="text-sm text-slate-700 hover:text-court">Ensembles</Link>
            <Link href="/datasets" className="text-sm text-slate-700 hover:text-court">Datasets</Link>
          </nav>
        </header>
        <Providers>
          <main id="main" className="mx-auto max-w-6xl px-4 py-6">
            {children}
          </main>
        </Providers>
        <footer className="mx-auto max-w-6xl px-4 pb-8 text-xs text-slate-600">
          NBA game data: FiveThirtyEight, &ldquo;The Complete History of the NBA&rdquo; (CC BY 4.0), when loaded.
        </footer>
      </body>
    </html>
  );
}
