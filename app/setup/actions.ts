"use server";

import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { actionError } from "@/app/_lib/action-results";
import type { SimpleFormState } from "@/components/simple-form";
import { createFirstAdmin } from "@/lib/auth/first-admin";
import { signIn } from "@/lib/auth/sign-in";

/** Creates the first admin with the one-time link's token, then signs them in. */
export async function createFirstAdminAction(token: string, _prev: SimpleFormState, formData: FormData): Promise<SimpleFormState> {
  const fields = { name: formData.get("name"), email: formData.get("email"), password: formData.get("password") };
  try {
    await createFirstAdmin(token, fields);
    const h = await headers();
    await signIn(fields, h.get("x-forwarded-for") ?? "local", h);
  } catch (err) {
    return actionError(err, "createFirstAdmin");
  }
  redirect("/");
}
