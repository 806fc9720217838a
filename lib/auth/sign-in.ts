import { boundedCache } from "@/lib/cache";
import { UnauthenticatedError, ValidationError, parseInput } from "@/lib/errors";
import { childLogger } from "@/lib/log";
import { z } from "zod";
import { getAuth } from "./server";

const log = childLogger("auth");

/** Failed sign-ins allowed per email and client address in one window; then the pair waits for the window to pass. */
const MAX_FAILURES = 10;
const WINDOW_MS = 15 * 60_000;

const failures = boundedCache<{ count: number; since: number }>("sign-in-failures", 10_000);

const Credentials = z.object({
  email: z.string().trim().min(1, "enter your email").max(200).transform((e) => e.toLowerCase()),
  password: z.string().min(1, "enter your password").max(128),
});

/**
 * Signs in with email and password. Inside a server action the session cookie
 * is set on the response (Better Auth's nextCookies); `asResponse` hands back
 * the library's own response instead, whose Set-Cookie carries the session.
 */
export async function signIn(input: unknown, client: string, headers: Headers): Promise<void>;
export async function signIn(input: unknown, client: string, headers: Headers, asResponse: true): Promise<Response>;
export async function signIn(input: unknown, client: string, headers: Headers, asResponse = false): Promise<void | Response> {
  const { email, password } = parseInput(Credentials, input, "Enter your email and password.");
  const key = `${email}|${client}`;
  const seen = failures.get(key);
  if (seen && Date.now() - seen.since < WINDOW_MS && seen.count >= MAX_FAILURES) {
    throw new ValidationError("Too many failed sign-ins for this email; wait 15 minutes and try again.", { password: ["too many attempts"] });
  }
  const auth = await getAuth();
  try {
    const res = await auth.api.signInEmail({ body: { email, password }, headers, asResponse: true });
    if (!res.ok) throw new UnauthenticatedError();
    failures.delete(key);
    log.info({ email }, "signed in");
    if (asResponse) return res;
  } catch {
    const fresh = seen && Date.now() - seen.since < WINDOW_MS ? seen : { count: 0, since: Date.now() };
    failures.set(key, { count: fresh.count + 1, since: fresh.since });
    log.warn({ email, client }, "sign-in refused");
    throw new UnauthenticatedError("The email or password is not right.");
  }
}

export async function signOut(headers: Headers): Promise<void> {
  const auth = await getAuth();
  await auth.api.signOut({ headers });
}
