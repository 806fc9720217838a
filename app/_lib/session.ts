import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { cache } from "react";
import { identify, requireRole, type Identity } from "@/lib/auth/identity";
import { hasRole, type Role } from "@/lib/auth/roles";

/** The signed-in person for this request (read once per render), or null. */
export const currentIdentity = cache(async (): Promise<Identity | null> => identify(await headers()).catch(() => null));

/** For pages: sends visitors without a session to sign in; null when signed in without the role the page needs. */
export async function pageIdentity(role: Role = "viewer"): Promise<{ who: Identity; allowed: boolean }> {
  const who = await currentIdentity();
  if (!who) redirect("/sign-in");
  return { who, allowed: hasRole(who.role, role) };
}

/** For server actions: every action checks the caller's role itself (a 401/403 error becomes the form's message). */
export async function requireActionRole(role: Role): Promise<Identity> {
  return requireRole(await headers(), role);
}
