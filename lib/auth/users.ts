import mongoose from "mongoose";
import { z } from "zod";
import { connectDb } from "@/lib/db";
import { ConflictError, NotFoundError, ValidationError, parseInput } from "@/lib/errors";
import { childLogger } from "@/lib/log";
import { ApiToken } from "@/models/ApiToken";
import { ROLES, isRole, type Role } from "./roles";
import { getAuth } from "./server";

const log = childLogger("auth");

/** Better Auth's collections (named in lib/auth/server.ts). */
const USERS = "auth_users";
const SESSIONS = "auth_sessions";
const ACCOUNTS = "auth_accounts";

export interface UserView {
  id: string;
  name: string;
  email: string;
  role: Role;
  created_at: string | null;
}

interface UserDoc {
  _id: mongoose.Types.ObjectId;
  name: string;
  email: string;
  role?: string | null;
  createdAt?: Date;
}

function toView(u: UserDoc): UserView {
  return { id: String(u._id), name: u.name, email: u.email, role: isRole(u.role) ? u.role : "viewer", created_at: u.createdAt?.toISOString() ?? null };
}

async function users() {
  const m = await connectDb();
  return m.connection.collection<UserDoc>(USERS);
}

export async function findUser(id: string): Promise<UserView | null> {
  if (!mongoose.isValidObjectId(id)) return null;
  const doc = await (await users()).findOne({ _id: new mongoose.Types.ObjectId(id) });
  return doc ? toView(doc) : null;
}

export async function listUsers(): Promise<UserView[]> {
  return (await (await users()).find().sort({ createdAt: 1 }).toArray()).map(toView);
}

export async function adminExists(): Promise<boolean> {
  return (await (await users()).countDocuments({ role: "admin" }, { limit: 1 })) > 0;
}

export const NewUser = z.object({
  name: z.string().trim().min(1, "give a name").max(100, "use at most 100 characters"),
  email: z.email("enter an email address").max(200).transform((e) => e.toLowerCase()),
  password: z.string().min(10, "use at least 10 characters").max(128, "use at most 128 characters"),
  role: z.enum(ROLES, { error: "choose viewer, editor or admin" }),
});

/** Creates a user with a password (users never sign themselves up). */
export async function createUser(input: unknown): Promise<UserView> {
  const user = parseInput(NewUser, input);
  const auth = await getAuth();
  if (await (await users()).findOne({ email: user.email })) {
    throw new ValidationError(`A user with the email ${user.email} already exists.`, { email: ["this email is taken"] });
  }
  try {
    const created = await auth.api.createUser({ body: user });
    log.info({ user_id: created.user.id, role: user.role }, "user created");
    return (await findUser(created.user.id)) as UserView;
  } catch (err) {
    // Two creates of one email at once: the unique index on email lets one through.
    if (String((err as { body?: { code?: string } }).body?.code ?? "").includes("FAILED_TO_CREATE_USER")) {
      throw new ValidationError(`A user with the email ${user.email} already exists.`, { email: ["this email is taken"] });
    }
    throw err;
  }
}

/** The last admin cannot lose the role: someone must be able to manage users. */
async function assertNotLastAdmin(id: string, what: string): Promise<void> {
  const target = await findUser(id);
  if (!target) throw new NotFoundError("user", id);
  if (target.role === "admin" && (await (await users()).countDocuments({ role: "admin" })) <= 1) {
    throw new ConflictError(`${target.name} is the only admin; make someone else an admin before you ${what}.`);
  }
}

export async function setRole(id: string, role: unknown): Promise<UserView> {
  if (!isRole(role)) throw new ValidationError("Choose viewer, editor or admin.", { role: ["choose viewer, editor or admin"] });
  const current = await findUser(id);
  if (!current) throw new NotFoundError("user", id);
  if (role !== "admin") await assertNotLastAdmin(id, "change their role");
  await (await users()).updateOne({ _id: new mongoose.Types.ObjectId(id) }, { $set: { role, updatedAt: new Date() } });
  log.info({ user_id: id, from: current.role, to: role }, "user role changed");
  return { ...current, role };
}

/** Removes a user, their sessions, password and API tokens. */
export async function removeUser(id: string): Promise<void> {
  await assertNotLastAdmin(id, "remove them");
  const m = await connectDb();
  const _id = new mongoose.Types.ObjectId(id);
  await m.connection.collection(SESSIONS).deleteMany({ userId: _id });
  await m.connection.collection(ACCOUNTS).deleteMany({ userId: _id });
  await ApiToken.updateMany({ user_id: id, revoked_at: null }, { $set: { revoked_at: new Date() } });
  await (await users()).deleteOne({ _id });
  log.info({ user_id: id }, "user removed");
}
