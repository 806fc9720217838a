import type { ReactNode } from "react";
import { Alert, PageHeader } from "@/components/ui";

/** What a signed-in person without the page's role sees instead of it. */
export function Refused({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div className="space-y-6">
      <PageHeader title={title} />
      <Alert>{children}</Alert>
    </div>
  );
}
