import { fileURLToPath } from "node:url";
import { config } from "@/lib/config";
import { UnknownArtifactStoreError } from "./errors";
import { GridFsArtifactStore } from "./gridfs-store";
import { LocalArtifactStore } from "./local-store";
import type { ArtifactStore } from "./store";

/** Scheme (without "://") -> backend; plain folder paths are local. */
const backends: Record<string, (uri: string) => ArtifactStore> = {
  gridfs: (uri) => new GridFsArtifactStore(uri.slice("gridfs://".length).replace(/\/+$/, "")),
  file: (uri) => {
    try {
      return new LocalArtifactStore(fileURLToPath(uri));
    } catch (err) {
      throw new UnknownArtifactStoreError(uri, `it is not a valid file URI (${err instanceof Error ? err.message : String(err)})`);
    }
  },
};

/** "file:///abs/dir" or a plain directory path -> LocalArtifactStore; any other scheme must have a backend above. */
export function artifactStoreFor(uriOrDir: string): ArtifactStore {
  if (uriOrDir.trim() === "") throw new UnknownArtifactStoreError(uriOrDir, "the location is empty");
  const match = /^([a-z][a-z0-9+.-]*):\/\//i.exec(uriOrDir);
  if (!match) return new LocalArtifactStore(uriOrDir);
  const scheme = match[1].toLowerCase();
  const backend = Object.hasOwn(backends, scheme) ? backends[scheme] : undefined;
  if (!backend) {
    throw new UnknownArtifactStoreError(uriOrDir, `the scheme "${scheme}" is not supported (known: ${Object.keys(backends).join(", ")})`);
  }
  return backend(uriOrDir);
}

/** The store configured by ARTIFACT_DIR (default .data/artifacts). */
export function defaultArtifactStore(): ArtifactStore {
  return artifactStoreFor(config().artifactDir);
}
