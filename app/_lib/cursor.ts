/** A listing cursor from the query string, or undefined for the first page (anything malformed starts over). */
export function cursorParam(value: string | string[] | undefined): string | undefined {
  return typeof value === "string" && /^[a-f0-9]{24}$/i.test(value) ? value : undefined;
}
