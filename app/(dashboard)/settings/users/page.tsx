import type { Metadata } from "next";
import { connection } from "next/server";
import { Refused } from "@/app/_lib/refused";
import { pageIdentity } from "@/app/_lib/session";
import { formatDate } from "@/components/format";
import { SimpleForm } from "@/components/simple-form";
import { Card, DataTable, PageHeader, td } from "@/components/ui";
import { ROLES, ROLE_DESCRIPTIONS } from "@/lib/auth/roles";
import { listUsers } from "@/lib/auth/users";
import { createUserAction, removeUserAction, setRoleAction } from "../actions";

export const metadata: Metadata = { title: "Users · NBA Ensemble Lab" };

const roleOptions = ROLES.map((r) => ({ value: r, label: `${r}: ${ROLE_DESCRIPTIONS[r]}` }));

export default async function UsersPage() {
  await connection();
  const { who, allowed } = await pageIdentity("admin");
  if (!allowed) return <Refused title="Users">Only admins manage users; you are signed in as a {who.role}.</Refused>;
  const users = await listUsers();
  return (
    <div className="space-y-6">
      <PageHeader title="Users" description="Viewers read; editors also upload, create, train, predict and delete; admins also manage users and API tokens." />
      <Card title="People with an account">
        <DataTable label="Users" testId="users-table" minWidth="min-w-[760px]" headers={["Name", "Email", "Role", "Since", "Remove"]}>
          <tbody>
          {users.map((u) => (
            <tr key={u.id} data-testid={`user-${u.email}`}>
              <td className={td}>{u.name}</td>
              <td className={td}>{u.email}</td>
              <td className={td}>
                <SimpleForm
                  inline
                  action={setRoleAction.bind(null, u.id)}
                  label={`Role of ${u.email}`}
                  submitLabel="Change role"
                  fields={[{ name: "role", label: "Role", type: "select", options: roleOptions.map((o) => ({ ...o, label: o.value })), defaultValue: u.role }]}
                />
              </td>
              <td className={td}>{formatDate(u.created_at)}</td>
              <td className={td}>
                {u.id === who.userId ? null : (
                  <SimpleForm inline action={removeUserAction.bind(null, u.id)} label={`Remove ${u.email}`} submitLabel="Remove" fields={[]} />
                )}
              </td>
            </tr>
          ))}
          </tbody>
        </DataTable>
      </Card>
      <Card title="Add a user">
        <SimpleForm
          action={createUserAction}
          label="Add a user"
          submitLabel="Add user"
          fields={[
            { name: "name", label: "Name", type: "text", autoComplete: "off" },
            { name: "email", label: "Email", type: "email", autoComplete: "off" },
            { name: "password", label: "Password", type: "password", autoComplete: "new-password", hint: "At least 10 characters; give it to them in person." },
            { name: "role", label: "Role", type: "select", options: roleOptions, defaultValue: "viewer" },
          ]}
        />
      </Card>
    </div>
  );
}
