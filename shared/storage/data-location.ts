/**
 * Where an endpoint's new data lands: a container, or a folder of one, whose new blobs start a
 * run of that endpoint (functions/triggers/new-data.ts). Written `blob:container` or
 * `blob:container/folder`; a folder always ends in "/", so "in" never matches "incoming/".
 */
export interface DataLocation {
  readonly container: string;
  /** "" for the whole container, else a folder path ending in "/". */
  readonly prefix: string;
}

const LOCATION = /^blob:([a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9]))(?:\/(.*))?$/;

/** The location, or the reason it is not one. */
export function parseDataLocation(text: string): DataLocation | { readonly problem: string } {
  const m = LOCATION.exec(text.trim());
  const folder = (m?.[2] ?? "").replace(/\/+$/, "");
  if (!m || folder.split("/").some((s, _i, all) => (s === "" && all.length > 1) || s === "." || s === "..") || folder.length > 900) {
    return { problem: `"${text.slice(0, 80)}" is not "blob:container" or "blob:container/folder" with a valid container name` };
  }
  return { container: m[1]!, prefix: folder === "" ? "" : `${folder}/` };
}

export const describeDataLocation = (l: DataLocation): string => `blob:${l.container}/${l.prefix}`;

/** The blob is in the location (a folder's own marker blob is not). */
export const holds = (l: DataLocation, container: string, blob: string): boolean =>
  container === l.container && blob.startsWith(l.prefix) && blob.length > l.prefix.length;

/** Two locations where one blob could land in both. */
export const overlap = (a: DataLocation, b: DataLocation): boolean =>
  a.container === b.container && (a.prefix.startsWith(b.prefix) || b.prefix.startsWith(a.prefix));
