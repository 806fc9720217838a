// Prints the one-time link that creates the first admin account, while none
// exists (a new link replaces the previous one); prints nothing otherwise.
import { issueFirstAdminLink } from "@/lib/auth/first-admin";
import { disconnectDb } from "@/lib/db";

issueFirstAdminLink()
  .then((link) => {
    if (link) process.stdout.write(`${link}\n`);
  })
  .catch((err: unknown) => {
    console.error(`[start] could not prepare the first sign-in link: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  })
  .finally(() => disconnectDb());
