import { betterAuth } from "better-auth";
import { mongodbAdapter } from "better-auth/adapters/mongodb";
import { nextCookies } from "better-auth/next-js";
import { admin } from "better-auth/plugins";
import { createAccessControl } from "better-auth/plugins/access";
import { adminAc, defaultStatements } from "better-auth/plugins/admin/access";
import type { Db } from "mongodb";
import { ConfigError, config } from "@/lib/config";
import { connectDb } from "@/lib/db";
import { childLogger } from "@/lib/log";

const authLog = childLogger("auth");

/**
 * Better Auth for users, password hashing (scrypt), sessions in http-only
 * SameSite=Lax cookies and roles. Settings the embedded FerretDB needs: no
 * client is passed to the adapter (so no transactions), joins stay off (no
 * $lookup), sign-up is closed (users are created by an admin or the first-start
 * link), and no plugin that consumes verification tokens is used (their
 * findOneAndDelete is not atomic on FerretDB). Its HTTP endpoints are not
 * mounted: the app calls auth.api from server actions and route guards.
 */
// The app checks its own roles (lib/auth/roles.ts); the library needs them declared to store them.
const access = createAccessControl(defaultStatements);
const roles = { viewer: access.newRole({}), editor: access.newRole({}), admin: access.newRole(adminAc.statements) };

function createAuth(db: Db) {
  const cfg = config();
  if (!cfg.authSecret) {
    throw new ConfigError("AUTH_SECRET is not set; npm start creates one in .data/auth-secret, or set it to 32 or more random characters.");
  }
  return betterAuth({
    appName: "NBA Ensemble Lab",
    baseURL: cfg.publicUrl,
    secret: cfg.authSecret,
    database: mongodbAdapter(db),
    user: { modelName: "auth_users" },
    session: { modelName: "auth_sessions", expiresIn: 60 * 60 * 24 * 7, updateAge: 60 * 60 * 24 },
    account: { modelName: "auth_accounts" },
    verification: { modelName: "auth_verifications" },
    emailAndPassword: { enabled: true, disableSignUp: true, minPasswordLength: 10, maxPasswordLength: 128 },
    // Sign-in attempts are limited by lib/auth/sign-in.ts; the library's own limiter guards only its HTTP endpoints, which are not mounted.
    rateLimit: { enabled: false },
    telemetry: { enabled: false },
    // The library's own messages go to the app's JSON log (a wrong password is a warning there, not console noise).
    logger: { log: (level, message) => authLog[level]({}, message) },
    plugins: [admin({ ac: access, roles, defaultRole: "viewer", adminRoles: ["admin"] }), nextCookies()],
  });
}

export type Auth = ReturnType<typeof createAuth>;

const cache = globalThis as unknown as { __auth?: { uri: string; auth: Promise<Auth> } };

/** One instance per process and database, built once the database connection exists. */
export function getAuth(): Promise<Auth> {
  const uri = config().mongodbUri;
  if (cache.__auth?.uri !== uri) {
    const auth = connectDb(uri).then((m) => {
      // mongoose bundles its own copy of the driver; the two Db types differ only in private fields.
      const db = m.connection.db as unknown as Db;
      return createAuth(db);
    });
    auth.catch(() => {
      if (cache.__auth?.auth === auth) cache.__auth = undefined;
    });
    cache.__auth = { uri, auth };
  }
  return cache.__auth.auth;
}
