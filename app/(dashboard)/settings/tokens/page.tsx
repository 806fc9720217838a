import type { Metadata } from "next";
import { connection } from "next/server";
import { Refused } from "@/app/_lib/refused";
import { pageIdentity } from "@/app/_lib/session";
import { formatDate } from "@/components/format";
import { SimpleForm } from "@/components/simple-form";
import { Badge, Card, DataTable, PageHeader, td } from "@/components/ui";
import { listTokens } from "@/lib/auth/tokens";
import { listUsers } from "@/lib/auth/users";
import { createTokenAction, revokeTokenAction } from "../actions";

export const metadata: Metadata = { title: "API tokens · NBA Ensemble Lab" };

export default async function TokensPage() {
  await connection();
  const { who, allowed } = await pageIdentity("admin");
  if (!allowed) return <Refused title="API tokens">Only admins manage API tokens; you are signed in as a {who.role}.</Refused>;
  const [tokens, users] = await Promise.all([listTokens(), listUsers()]);
  const owner = new Map(users.map((u) => [u.id, u.name]));
  return (
    <div className="space-y-6">
      <PageHeader
        title="API tokens"
        description="Scripts send a token as Authorization: Bearer <token>. A read token reads like a viewer; a write token also uploads, creates, trains and predicts like an editor. Only a hash is stored."
      />
      <Card title="Create a token">
        <SimpleForm
          action={createTokenAction}
          label="Create a token"
          submitLabel="Create token"
          fields={[
            { name: "name", label: "Name", type: "text", autoComplete: "off", hint: "What will use it, e.g. nightly-forecast." },
            {
              name: "scope",
              label: "Scope",
              type: "select",
              defaultValue: "read",
              options: [
                { value: "read", label: "read: list and read" },
                { value: "write", label: "write: also upload, create, train, predict, delete" },
              ],
            },
          ]}
        />
      </Card>
      <Card title="Tokens">
        <DataTable label="API tokens" testId="tokens-table" minWidth="min-w-[860px]" headers={["Name", "Starts with", "Scope", "Owner", "Created", "Last used", "State"]}>
          <tbody>
            {tokens.map((t) => (
              <tr key={t.id} data-testid={`token-${t.name}`}>
                <td className={td}>{t.name}</td>
                <td className={td}>
                  <code>{t.prefix}…</code>
                </td>
                <td className={td}>{t.scope}</td>
                <td className={td}>{owner.get(t.user_id) ?? "removed user"}</td>
                <td className={td}>{formatDate(t.created_at)}</td>
                <td className={td}>{t.last_used_at ? formatDate(t.last_used_at) : "never"}</td>
                <td className={td}>
                  {t.revoked_at ? (
                    <Badge tone="neutral">revoked {formatDate(t.revoked_at)}</Badge>
                  ) : (
                    <SimpleForm inline action={revokeTokenAction.bind(null, t.id)} label={`Revoke ${t.name}`} submitLabel="Revoke" fields={[]} />
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </DataTable>
      </Card>
    </div>
  );
}
