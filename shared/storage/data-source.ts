import path from "node:path";
import { isWellFormed } from "./blob-name";

/** Where a run's training data comes from. */
export type DataSource =
  | { readonly kind: "file"; readonly path: string; readonly root: string }
  | { readonly kind: "url"; readonly url: string }
  | { readonly kind: "blob"; readonly container: string; readonly blob: string };

export class DataSourceError extends Error {
  override readonly name = "DataSourceError";
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

/**
 * Containers that hold the platform's or the app's own state, never training data: the
 * Functions host's keys and locks (`azure-webjobs-*`), a Durable task hub's (`{hub}-leases`,
 * `{hub}-largemessages`, `{hub}-applease`), a Flex deployment package (`app-package-*`). Refused
 * by name even when listed; the app's staging and archive containers are refused by settings.
 */
export function isSystemContainer(name: string): boolean {
  return /^azure-webjobs-|^app-package-|-(leases|largemessages|applease)$/.test(name);
}

/** Where training data may come from: these blob containers only; loopback URLs only where allowed (locally). */
export interface SourcePolicy {
  readonly containers: readonly string[];
  readonly allowLoopback: boolean;
}

/**
 * Parses a data source: `blob:container/path` (with `blobs`, only in its containers), an
 * `https://` URL (plain `http://` only on loopback), or a file path that must stay inside
 * `dataRoot` — `..` and absolute paths that leave it are refused, so a caller cannot make the
 * function read arbitrary files.
 */
export function parseDataSource(text: string, dataRoot: string | undefined, blobs?: SourcePolicy): DataSource {
  const value = text.trim();
  if (value === "") throw new DataSourceError("The data source is empty.");
  // JSON carries lone surrogates; a blob name or URL made of one fails only later, in staging (a URIError), after the run started.
  if (!isWellFormed(value)) throw new DataSourceError("The data source is not well-formed Unicode (it holds a lone surrogate).");
  if (value.startsWith("blob:")) {
    const m = /^blob:([a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9]))\/(.+)$/.exec(value);
    if (!m || m[2]!.split("/").some((s) => s === ".." || s === ".")) {
      throw new DataSourceError(`Blob data source "${value}" must be "blob:container/path/to/file.csv" with a valid container name.`);
    }
    const container = m[1]!;
    if (blobs && (isSystemContainer(container) || !blobs.containers.includes(container))) {
      // One answer for every refused container: which ones exist is not the caller's business.
      const allowed = blobs.containers.length > 0 ? `: ${blobs.containers.join(", ")}` : "; there are none (RETRAIN_DATA_CONTAINERS)";
      throw new DataSourceError(`Blob data source "${value}" is not in a container this app reads training data from${allowed}.`);
    }
    return { kind: "blob", container, blob: m[2]! };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new DataSourceError(`Data source URL "${value}" is not a valid URL.`);
    }
    if (url.protocol === "https:" || (url.protocol === "http:" && LOOPBACK.has(url.hostname))) return { kind: "url", url: url.toString() };
    throw new DataSourceError(`Data source URL must use https:// (http:// only on loopback), got "${url.protocol}//${url.host}".`);
  }
  if (!dataRoot) throw new DataSourceError("Local file data sources are disabled: RETRAIN_DATA_ROOT is not set.");
  const root = path.resolve(dataRoot);
  const resolved = path.resolve(root, value);
  // The folder's own path stays out of messages: callers see them, and it is none of their business.
  if (!isInside(resolved, root)) throw new DataSourceError(`Data source path "${value}" leaves the data folder.`);
  return { kind: "file", path: resolved, root };
}

/** `child` is `root` or below it (textually; staging checks real paths too, against symlinks). */
export function isInside(child: string, root: string): boolean {
  const prefix = root.endsWith(path.sep) ? root : root + path.sep;
  return child === root || child.startsWith(prefix);
}

export function describeDataSource(s: DataSource): string {
  if (s.kind === "file") return `file ${path.relative(s.root, s.path) || "."}`;
  if (s.kind === "url") return `url ${s.url.split("?")[0]!}`;
  return `blob ${s.container}/${s.blob}`;
}
