/**
 * Checks every request passes before anything else runs (proxy.ts): the Host
 * allow-list against DNS rebinding, and same-origin for anything that changes
 * state, against cross-site requests from pages the user happens to visit.
 */

export interface Refusal {
  status: number;
  message: string;
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** The host name of a Host header ("localhost:3000" -> "localhost", "[::1]:3000" -> "[::1]"), lowercased. */
export function hostName(hostHeader: string): string {
  const value = hostHeader.trim().toLowerCase();
  if (value.startsWith("[")) return value.slice(0, value.indexOf("]") + 1);
  return value.split(":")[0];
}

export function checkRequest(
  req: { method: string; headers: Headers },
  allowed: { hosts: readonly string[]; publicUrl: string },
): Refusal | null {
  const host = req.headers.get("host");
  if (!host || !allowed.hosts.includes(hostName(host))) {
    return { status: 403, message: "This app does not answer to that host name; add it to ALLOWED_HOSTS if it is yours." };
  }
  if (SAFE_METHODS.has(req.method.toUpperCase())) return null;
  if (req.headers.get("sec-fetch-site") === "cross-site") {
    return { status: 403, message: "Cross-site requests cannot change anything here." };
  }
  const origin = req.headers.get("origin");
  // Browsers send Origin with every state-changing request; scripts (curl, with a token) may leave it out.
  if (origin !== null && !sameOrigin(origin, host, allowed.publicUrl)) {
    return { status: 403, message: "Requests from another origin cannot change anything here." };
  }
  return null;
}

function sameOrigin(origin: string, host: string, publicUrl: string): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false; // includes the opaque origin "null" of sandboxed frames and file:// pages
  }
  return url.host === host.toLowerCase() || url.origin === new URL(publicUrl).origin;
}
