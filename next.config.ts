import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Server-only packages with native or dynamic requires stay outside the bundle.
  serverExternalPackages: ["mongoose", "mongodb", "pino", "ml-random-forest"],
  experimental: {
    serverActions: { bodySizeLimit: "25mb" },
    // The proxy sees every server action's body; below the actions' own limit a dataset form upload would arrive cut short.
    proxyClientMaxBodySize: "25mb",
  },
  poweredByHeader: false,
  // Tests build into their own folder so a running app's build is never replaced underneath it.
  distDir: process.env.NEXT_DIST_DIR ?? ".next",
};

export default nextConfig;
