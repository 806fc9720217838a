"use server";

import { refresh } from "next/cache";
import { actionError } from "@/app/_lib/action-results";
import { requireActionRole } from "@/app/_lib/session";
import type { SimpleFormState } from "@/components/simple-form";
import { createToken, revokeToken } from "@/lib/auth/tokens";
import { createUser, removeUser, setRole } from "@/lib/auth/users";

/** Runs an admin's change and re-renders the page; refusals become the form's message. */
async function asAdmin(name: string, work: (adminId: string) => Promise<SimpleFormState>): Promise<SimpleFormState> {
  try {
    const who = await requireActionRole("admin");
    const state = await work(who.userId);
    refresh();
    return state;
  } catch (err) {
    return actionError(err, name);
  }
}

const done = (message: string): SimpleFormState => ({ ok: true, message, fieldErrors: {} });

export async function createUserAction(_prev: SimpleFormState, form: FormData): Promise<SimpleFormState> {
  return asAdmin("createUser", async () => {
    const user = await createUser({ name: form.get("name"), email: form.get("email"), password: form.get("password"), role: form.get("role") });
    return done(`Created ${user.name} (${user.role}). Tell them their email and password; they can sign in now.`);
  });
}

export async function setRoleAction(userId: string, _prev: SimpleFormState, form: FormData): Promise<SimpleFormState> {
  return asAdmin("setRole", async () => done(`${(await setRole(userId, form.get("role"))).name} is now ${form.get("role")}.`));
}

export async function removeUserAction(userId: string, _prev: SimpleFormState, _form: FormData): Promise<SimpleFormState> {
  return asAdmin("removeUser", async () => {
    await removeUser(userId);
    return done("User removed, with their sessions and tokens.");
  });
}

export async function createTokenAction(_prev: SimpleFormState, form: FormData): Promise<SimpleFormState> {
  return asAdmin("createToken", async (adminId) => {
    const { token, view } = await createToken(adminId, { name: form.get("name"), scope: form.get("scope") });
    return { ...done(`Created the ${view.scope} token "${view.name}". Send it as Authorization: Bearer <token>.`), secret: token };
  });
}

export async function revokeTokenAction(tokenId: string, _prev: SimpleFormState, _form: FormData): Promise<SimpleFormState> {
  return asAdmin("revokeToken", async () => done(`Revoked "${(await revokeToken(tokenId)).name}".`));
}
