import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import mongoose from "mongoose";
import { z } from "zod";
import { boundedCache } from "@/lib/cache";
import { config } from "@/lib/config";
import { connectDb } from "@/lib/db";
import { NotFoundError, parseInput } from "@/lib/errors";
import { childLogger } from "@/lib/log";
import { ApiToken, TOKEN_SCOPES } from "@/models/ApiToken";
import { hasRole, type Role } from "./roles";
import { findUser } from "./users";

const log = childLogger("auth");

/** Tokens start with this, so a leaked one is recognisable in logs and secret scanners. */
const TOKEN_PREFIX = "nbl_";
/** Verified tokens are remembered this long; a revoke on this node takes effect at once, on other web nodes within this. */
export const TOKEN_CACHE_MS = 5_000;
/** last_used_at is written at most this often per token, so a busy script costs no write per request. */
const LAST_USED_EVERY_MS = 60_000;

export type TokenScope = (typeof TOKEN_SCOPES)[number];

/** What a token lets its bearer do: read as a viewer, write as an editor, never more than its owner may. */
const SCOPE_ROLE: Record<TokenScope, Role> = { read: "viewer", write: "editor" };

export interface TokenView {
  id: string;
  name: string;
  prefix: string;
  scope: TokenScope;
  user_id: string;
  created_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface TokenIdentity {
  tokenId: string;
  userId: string;
  name: string;
  email: string;
  role: Role;
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

type TokenLean = { _id: mongoose.Types.ObjectId; name: string; prefix: string; scope: TokenScope; user_id: string; created_at?: Date; last_used_at?: Date | null; revoked_at?: Date | null };

function toView(t: TokenLean): TokenView {
  return {
    id: String(t._id),
    name: t.name,
    prefix: t.prefix,
    scope: t.scope,
    user_id: t.user_id,
    created_at: t.created_at?.toISOString() ?? null,
    last_used_at: t.last_used_at?.toISOString() ?? null,
    revoked_at: t.revoked_at?.toISOString() ?? null,
  };
}

const NewToken = z.object({
  name: z.string().trim().min(1, "give the token a name").max(100, "use at most 100 characters"),
  scope: z.enum(TOKEN_SCOPES, { error: "choose read or write" }),
});

/** Creates a token for `ownerId`; the token itself is in the answer and nowhere else. */
export async function createToken(ownerId: string, input: unknown): Promise<{ token: string; view: TokenView }> {
  const { name, scope } = parseInput(NewToken, input);
  await connectDb();
  const token = `${TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;
  const doc = await ApiToken.create({ name, scope, user_id: ownerId, token_hash: sha256(token), prefix: token.slice(0, TOKEN_PREFIX.length + 6) });
  log.info({ token_id: String(doc._id), user_id: ownerId, scope }, "api token created");
  return { token, view: toView(doc.toObject() as TokenLean) };
}

export async function listTokens(): Promise<TokenView[]> {
  await connectDb();
  const docs = await ApiToken.find().sort({ created_at: -1 }).lean<TokenLean[]>();
  return docs.map(toView);
}

/** Revokes a token; the record stays (with revoked_at) so the list shows what existed. */
export async function revokeToken(id: string): Promise<TokenView> {
  if (!mongoose.isValidObjectId(id)) throw new NotFoundError("API token", id);
  await connectDb();
  const doc = await ApiToken.findByIdAndUpdate(id, { $set: { revoked_at: new Date() } }, { returnDocument: "after" }).lean<TokenLean & { token_hash: string }>();
  if (!doc) throw new NotFoundError("API token", id);
  verified.delete(doc.token_hash);
  log.info({ token_id: id }, "api token revoked");
  return toView(doc);
}

const verified = boundedCache<{ identity: TokenIdentity | null; at: number }>("api-tokens", 1000);

/** The identity a bearer token stands for, or null for an unknown or revoked one (or an owner who no longer exists). */
export async function identifyToken(raw: string): Promise<TokenIdentity | null> {
  // One digest per request: it is compared with ADMIN_TOKEN's and is the key a stored token is found by.
  const hash = sha256(raw);
  const adminHash = adminTokenHash(config().adminToken);
  if (adminHash && timingSafeEqual(Buffer.from(hash, "hex"), Buffer.from(adminHash, "hex"))) {
    return { tokenId: "ADMIN_TOKEN", userId: "ADMIN_TOKEN", name: "ADMIN_TOKEN", email: "", role: "admin" };
  }
  if (!raw.startsWith(TOKEN_PREFIX)) return null;
  const hit = verified.get(hash);
  if (hit && Date.now() - hit.at < TOKEN_CACHE_MS) return hit.identity;
  await connectDb();
  const doc = await ApiToken.findOne({ token_hash: hash }).lean<TokenLean>();
  let identity: TokenIdentity | null = null;
  if (doc && !doc.revoked_at) {
    const owner = await findUser(doc.user_id);
    if (owner) {
      const role = hasRole(owner.role, SCOPE_ROLE[doc.scope]) ? SCOPE_ROLE[doc.scope] : owner.role;
      identity = { tokenId: String(doc._id), userId: owner.id, name: `${doc.name} (token of ${owner.name})`, email: owner.email, role };
    }
    if (!doc.last_used_at || Date.now() - doc.last_used_at.getTime() > LAST_USED_EVERY_MS) {
      void ApiToken.updateOne({ _id: doc._id }, { $set: { last_used_at: new Date() } }).catch((err: unknown) =>
        log.warn({ token_id: String(doc._id), err: String(err) }, "could not record a token's last use"),
      );
    }
  }
  verified.set(hash, { identity, at: Date.now() });
  return identity;
}

let admin: { token: string; hash: string } | undefined;

/**
 * ADMIN_TOKEN's digest, worked out once per value. Tokens are compared by their
 * digests, so neither the length nor the content of the secret leaks through timing.
 */
function adminTokenHash(token: string | null | undefined): string | null {
  if (!token) return null;
  if (admin?.token !== token) admin = { token, hash: sha256(token) };
  return admin.hash;
}
