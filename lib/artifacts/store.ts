/**
 * Where artifact bytes live. Deliberately narrow (after MLflow's artifact
 * repositories): everything above this line speaks in paths relative to `root`,
 * so a backend only has to implement these five methods. One class per backend:
 * local-store.ts (a folder), gridfs-store.ts (GridFS in the app's database).
 */
export interface WriteResult {
  /** Relative to the store root, with "/" separators: what documents should record. */
  path: string;
  bytes: number;
  sha256: string;
}

export interface ArtifactStat {
  bytes: number;
  modifiedMs: number;
}

export interface ArtifactStore {
  readonly root: string;
  /**
   * Atomic: readers see the old bytes or the new ones, never a prefix. A folder
   * replaces a file of that name; GridFS writes a name once and refuses another
   * write of it (ArtifactExistsError), leaving the first file as it was.
   * Artifact names embed a fresh run_id, so the app never writes one twice.
   */
  write(relPath: string, data: string | Buffer): Promise<WriteResult>;
  /** Throws ArtifactMissingError when absent. */
  read(relPath: string): Promise<Buffer>;
  /** Size and last modification (ms since epoch); null when absent. A rewrite changes modifiedMs, so callers can cache on it. */
  stat(relPath: string): Promise<ArtifactStat | null>;
  /** Succeeds when already absent. */
  delete(relPath: string): Promise<void>;
  /** Relative paths under the root starting with `prefix`, sorted; hidden and temporary files excluded. */
  list(prefix?: string): Promise<string[]>;
  /** Optional: `stat` of many files in one round trip (listings of many models); absent files are missing from the map. */
  statMany?(relPaths: string[]): Promise<Map<string, ArtifactStat>>;
}
