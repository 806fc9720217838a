import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { currentIdentity } from "@/app/_lib/session";
import { SimpleForm } from "@/components/simple-form";
import { Card, PageHeader } from "@/components/ui";
import { signInAction } from "./actions";

export const metadata: Metadata = { title: "Sign in · NBA Ensemble Lab" };

export default async function SignInPage({ searchParams }: PageProps<"/sign-in">) {
  if (await currentIdentity()) redirect("/");
  const { next } = await searchParams;
  return (
    <div className="mx-auto max-w-md space-y-6">
      <PageHeader title="Sign in" description="Accounts are created by an admin. The first admin account is created through the link printed when the app first starts." />
      <Card>
        <SimpleForm
          action={signInAction}
          label="Sign in"
          submitLabel="Sign in"
          fields={[
            { name: "email", label: "Email", type: "email", autoComplete: "username" },
            { name: "password", label: "Password", type: "password", autoComplete: "current-password" },
            { name: "next", type: "hidden", value: typeof next === "string" ? next : "/" },
          ]}
        />
      </Card>
    </div>
  );
}
