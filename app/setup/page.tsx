import type { Metadata } from "next";
import { SimpleForm } from "@/components/simple-form";
import { Alert, Card, PageHeader } from "@/components/ui";
import { isCurrentLink } from "@/lib/auth/first-admin";
import { createFirstAdminAction } from "./actions";

export const metadata: Metadata = { title: "Create the admin account · NBA Ensemble Lab" };

export default async function SetupPage({ searchParams }: PageProps<"/setup">) {
  const { token } = await searchParams;
  const valid = await isCurrentLink(token);
  return (
    <div className="mx-auto max-w-md space-y-6">
      <PageHeader title="Create the admin account" description="This link works once. The admin then creates accounts for the rest of the team." />
      {valid ? (
        <Card>
          <SimpleForm
            action={createFirstAdminAction.bind(null, token as string)}
            label="Admin account"
            submitLabel="Create the admin account"
            fields={[
              { name: "name", label: "Your name", type: "text", autoComplete: "name" },
              { name: "email", label: "Email", type: "email", autoComplete: "username" },
              { name: "password", label: "Password", type: "password", autoComplete: "new-password", hint: "At least 10 characters." },
            ]}
          />
        </Card>
      ) : (
        <Alert>
          This sign-up link has been used or replaced. If nobody has an account yet, restart the app (<code>npm start</code>) and open the new link it prints;
          otherwise <a className="underline" href="/sign-in">sign in</a>.
        </Alert>
      )}
    </div>
  );
}
