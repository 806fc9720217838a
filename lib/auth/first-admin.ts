import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { config } from "@/lib/config";
import { connectDb } from "@/lib/db";
import { ConflictError, parseInput } from "@/lib/errors";
import { childLogger } from "@/lib/log";
import { SetupLink } from "@/models/SetupLink";
import { NewUser, adminExists, createUser, type UserView } from "./users";

const log = childLogger("auth");

/**
 * First start has no default password: while no admin exists, the start script
 * asks for a one-time link (printed like Jupyter's token URL) that lets the
 * first person create the admin account. Only the token's hash is stored; a new
 * start issues a new link and the old one dies; using it once kills it.
 */

const LINK_ID = "first-admin";
const USED = "This sign-up link has been used or replaced; ask whoever started the app for the current one.";

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** A fresh link while no admin exists (replacing any earlier one), else null and any leftover link is removed. */
export async function issueFirstAdminLink(): Promise<string | null> {
  await connectDb();
  if (await adminExists()) {
    await SetupLink.deleteMany({});
    return null;
  }
  const token = randomBytes(32).toString("base64url");
  await SetupLink.deleteMany({ kind: "link" });
  await SetupLink.create({ _id: LINK_ID, token_hash: sha256(token), kind: "link" });
  log.info({}, "first-admin link issued");
  return `${config().publicUrl}/setup?token=${token}`;
}

/** Whether a link token is the current one (the setup page shows its form only then). */
export async function isCurrentLink(token: unknown): Promise<boolean> {
  if (typeof token !== "string" || token.length < 20 || token.length > 200) return false;
  await connectDb();
  const link = await SetupLink.findById(LINK_ID).lean();
  if (!link) return false;
  const given = Buffer.from(sha256(token), "hex");
  return timingSafeEqual(given, Buffer.from(link.token_hash, "hex"));
}

/**
 * Creates the admin account with the link's token. The claim is an insert under
 * the unique `_id`, so of many concurrent uses exactly one goes on; if creating
 * the account then fails, the claim is withdrawn and the link works again.
 */
export async function createFirstAdmin(token: unknown, input: unknown): Promise<UserView> {
  // Validated before the claim, so a typo does not use up the link.
  const fields = parseInput(NewUser.omit({ role: true }), input);
  if (!(await isCurrentLink(token))) throw new ConflictError(USED);
  const claim = `claim:${sha256(token as string)}`;
  try {
    await SetupLink.create({ _id: claim, token_hash: sha256(token as string), kind: "claim" });
  } catch (err) {
    if ((err as { code?: number }).code === 11000) throw new ConflictError(USED);
    throw err;
  }
  try {
    const admin = await createUser({ ...fields, role: "admin" });
    await SetupLink.deleteMany({});
    log.info({ user_id: admin.id }, "first admin created through the one-time link");
    return admin;
  } catch (err) {
    await SetupLink.deleteOne({ _id: claim });
    throw err;
  }
}
