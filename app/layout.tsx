import type { Metadata, Viewport } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { currentIdentity } from "@/app/_lib/session";
import { signOutAction } from "@/app/sign-in/actions";
import { NavLink } from "@/components/nav-link";
import { buttonStyles } from "@/components/ui";
import { Providers } from "@/components/providers";
import { SkipLink } from "@/components/skip-link";
import "./globals.css";

export const metadata: Metadata = {
  title: "NBA Ensemble Lab",
  description: "Train NBA prediction models once, keep their artifacts, and stack them into ensembles without retraining.",
  icons: {
    icon: [
      { url: "/favicon.ico", sizes: "32x32" },
      { url: "/icon.svg", type: "image/svg+xml" },
    ],
    apple: "/apple-touch-icon.png",
  },
  manifest: "/manifest.webmanifest",
};

export const viewport: Viewport = { themeColor: "#1d428a" };

export default async function RootLayout({ children }: { children: ReactNode }) {
  const who = await currentIdentity();
  return (
    <html lang="en">
      <body className="min-h-screen bg-slate-50 text-slate-900 antialiased">
        <SkipLink targetId="main">Skip to content</SkipLink>
        <header className="border-b border-slate-200 bg-white">
          <nav aria-label="Main" className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-5 gap-y-2 px-4 py-3">
            <Link href="/" className="mr-2 text-lg font-semibold text-court">
              NBA Ensemble Lab
            </Link>
            {who ? (
              <>
                <NavLink href="/">Overview</NavLink>
                <NavLink href="/forecast">Forecast</NavLink>
                <NavLink href="/models">Models</NavLink>
                <NavLink href="/ensembles">Ensembles</NavLink>
                <NavLink href="/datasets">Datasets</NavLink>
                {who.role === "admin" ? (
                  <>
                    <NavLink href="/settings/users">Users</NavLink>
                    <NavLink href="/settings/tokens">Tokens</NavLink>
                  </>
                ) : null}
                <form action={signOutAction} className="ml-auto flex items-center gap-3 text-sm text-slate-700">
                  <span data-testid="signed-in-as">
                    {who.name} <span className="text-slate-600">({who.role})</span>
                  </span>
                  <button type="submit" className={`${buttonStyles.secondary} px-2 py-1 text-xs`}>
                    Sign out
                  </button>
                </form>
              </>
            ) : null}
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
