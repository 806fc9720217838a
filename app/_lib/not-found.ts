import { notFound } from "next/navigation";
import { NotFoundError } from "@/lib/errors";

/** Awaits a lib read; a NotFoundError becomes the app's 404 page. */
export async function orNotFound<T>(read: Promise<T>): Promise<T> {
  try {
    return await read;
  } catch (err) {
    if (err instanceof NotFoundError) notFound();
    throw err;
  }
}
