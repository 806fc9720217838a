import { ForbiddenError, UnauthenticatedError } from "@/lib/errors";
import { hasRole, isRole, type Role } from "./roles";
import { getAuth } from "./server";
import { identifyToken } from "./tokens";

/** Who is asking: a signed-in person, an API token, or the ADMIN_TOKEN. */
export interface Identity {
  via: "session" | "token" | "admin-token";
  userId: string;
  name: string;
  email: string;
  role: Role;
}

/**
 * Reads the caller from the request's headers: `Authorization: Bearer <token>`
 * when present (a bad token is refused, never silently downgraded to the
 * cookie), else the session cookie. Null when there are no credentials.
 */
export async function identify(headers: Headers): Promise<Identity | null> {
  const authorization = headers.get("authorization");
  if (authorization !== null) {
    const bearer = /^Bearer\s+(\S{1,512})$/i.exec(authorization.trim());
    if (!bearer) throw new UnauthenticatedError('The Authorization header must be "Bearer <token>".');
    const token = await identifyToken(bearer[1]);
    if (!token) throw new UnauthenticatedError("The API token is not valid: it is unknown or was revoked.");
    return { via: token.tokenId === "ADMIN_TOKEN" ? "admin-token" : "token", userId: token.userId, name: token.name, email: token.email, role: token.role };
  }
  const auth = await getAuth();
  const session = await auth.api.getSession({ headers });
  if (!session) return null;
  const user = session.user as { id: string; name: string; email: string; role?: string | null };
  return { via: "session", userId: user.id, name: user.name, email: user.email, role: isRole(user.role) ? user.role : "viewer" };
}

/** The caller if they have at least `needed`; 401 without credentials, 403 with too little role. */
export async function requireRole(headers: Headers, needed: Role): Promise<Identity> {
  const who = await identify(headers);
  if (!who) throw new UnauthenticatedError();
  if (!hasRole(who.role, needed)) {
    throw new ForbiddenError(`This needs the ${needed} role; ${who.name} has the ${who.role} role.`);
  }
  return who;
}
