import type { ReactNode } from "react";
import { pageIdentity } from "@/app/_lib/session";

/** Every dashboard page needs a signed-in viewer at least; actions and routes check roles themselves. */
export default async function DashboardLayout({ children }: { children: ReactNode }) {
  await pageIdentity("viewer");
  return children;
}
