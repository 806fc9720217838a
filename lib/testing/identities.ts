import { issueFirstAdminLink, createFirstAdmin } from "@/lib/auth/first-admin";
import type { Role } from "@/lib/auth/roles";
import { signIn } from "@/lib/auth/sign-in";
import { createToken, type TokenScope } from "@/lib/auth/tokens";
import { createUser, listUsers } from "@/lib/auth/users";

/**
 * Signed-in callers for route tests, made through the product's own flows:
 * the first admin through the one-time link, the others created by that admin,
 * each signed in with email and password (the session cookie comes back the
 * way a browser gets it). No shortcut around authentication exists.
 */
const PASSWORD = "correct horse battery";

const sessions = new Map<string, string>();

async function ensureUser(role: Role): Promise<{ id: string; email: string }> {
  const email = `${role}@example.test`;
  const existing = (await listUsers()).find((u) => u.email === email);
  if (existing) return existing;
  // The very first admin comes through the one-time link; later users are created as an admin does on the Users page.
  const link = role === "admin" ? await issueFirstAdminLink() : null;
  if (link) return createFirstAdmin(new URL(link).searchParams.get("token"), { name: "Test admin", email, password: PASSWORD });
  if (role !== "admin") await ensureUser("admin");
  return createUser({ name: `Test ${role}`, email, password: PASSWORD, role });
}

/** A `cookie` header of a session for a user with exactly `role`. */
export async function sessionCookie(role: Role): Promise<string> {
  const known = sessions.get(role);
  if (known) return known;
  const user = await ensureUser(role);
  const res = await signIn({ email: user.email, password: PASSWORD }, `test-${role}`, new Headers(), true);
  const cookie = res.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  sessions.set(role, cookie);
  return cookie;
}

/** Headers of a signed-in `role`, plus any given. */
export async function asRole(role: Role, headers: Record<string, string> = {}): Promise<Record<string, string>> {
  return { ...headers, cookie: await sessionCookie(role) };
}

/** A fresh API token of the given scope, owned by the test admin. */
export async function apiToken(scope: TokenScope): Promise<string> {
  const admin = await ensureUser("admin");
  return (await createToken(admin.id, { name: `test ${scope} ${Date.now()}`, scope })).token;
}


/** Builds Requests that carry `auth` (a session cookie or bearer header) plus their own headers. */
export function requestWith(auth: Record<string, string>): (url: string, init?: RequestInit) => Request {
  return (url, init = {}) => new Request(url, { ...init, headers: { ...auth, ...(init.headers as Record<string, string> | undefined) } });
}
