"use server";

import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { actionError } from "@/app/_lib/action-results";
import type { SimpleFormState } from "@/components/simple-form";
import { signIn, signOut } from "@/lib/auth/sign-in";

/** Only a path on this site, never "//elsewhere" or a full URL: the sign-in page must not become an open redirect. */
function safeNext(value: FormDataEntryValue | null): string {
  return typeof value === "string" && /^\/(?!\/)[^\\\s]*$/.test(value) ? value : "/";
}

export async function signInAction(_prev: SimpleFormState, formData: FormData): Promise<SimpleFormState> {
  const h = await headers();
  try {
    await signIn({ email: formData.get("email"), password: formData.get("password") }, h.get("x-forwarded-for") ?? "local", h);
  } catch (err) {
    return actionError(err, "signIn");
  }
  redirect(safeNext(formData.get("next")));
}

export async function signOutAction(): Promise<void> {
  await signOut(await headers()).catch(() => undefined);
  redirect("/sign-in");
}
