// Small text parsers for the drift checks: the Bicep cannot be compiled here and nothing may
// reach Azure, so the checks read the files as text with deliberately narrow patterns that fail
// loudly when the file no longer has the expected shape.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export const ROOT = join(__dirname, "..", "..");
export const read = (relative: string): string => readFileSync(join(ROOT, relative), "utf8");

/** The names in the one `appSettings` object literal of api.bicep (`NAME: value`, one a line). */
export function appSettingNames(bicep: string): string[] {
  const start = /^\s*(?:var\s+)?appSettings\s*[=:]\s*\{\s*$/m.exec(bicep);
  if (!start) throw new Error("api.bicep: no `appSettings = {` / `appSettings: {` block");
  const names: string[] = [];
  for (const line of bicep.slice(start.index + start[0].length).split("\n")) {
    const text = line.trim();
    if (text === "" || text.startsWith("//")) continue;
    if (text === "}") return names;
    const m = /^([A-Za-z_][A-Za-z0-9_]*)\s*:/.exec(text);
    if (!m?.[1]) throw new Error(`api.bicep appSettings: expected "NAME: value", got "${text}"`);
    names.push(m[1]);
  }
  throw new Error("api.bicep appSettings: block is not closed");
}

/** The members of the `RunEvent` string-literal union, read from the source text. */
export function runEventNames(telemetryTs: string): string[] {
  const union = /export type RunEvent\s*=([^;]*);/.exec(telemetryTs);
  if (!union?.[1]) throw new Error("telemetry.ts: no `export type RunEvent = ...;`");
  return [...union[1].matchAll(/"([^"]+)"/g)].map((m) => m[1]!);
}

export type NameRef = { readonly kind: "exact" | "prefix"; readonly value: string };

/** Metric names passed to `telemetry.metric(...)`; a template's `${...}` makes it a prefix. */
export function emittedMetrics(sources: readonly string[]): NameRef[] {
  const refs: NameRef[] = [];
  for (const text of sources) {
    for (const m of text.matchAll(/telemetry\.metric\(\s*(["'`])(.*?)\1/g)) {
      const literal = m[2]!;
      const hole = literal.indexOf("${");
      refs.push(hole < 0 ? { kind: "exact", value: literal } : { kind: "prefix", value: literal.slice(0, hole) });
    }
  }
  return refs;
}

/**
 * The telemetry names a KQL query filters on: `name == "X"`, `name in ("X", "Y")`,
 * `name startswith "X"`. Any other operator on `name` is refused so no reference goes unchecked.
 */
export function kqlNameRefs(kql: string): NameRef[] {
  const refs: NameRef[] = [];
  for (const m of kql.matchAll(/(?<![.\w])name\s*==\s*"([^"]+)"/g)) refs.push({ kind: "exact", value: m[1]! });
  for (const m of kql.matchAll(/(?<![.\w])name\s+in\s*\(([^)]*)\)/g)) {
    for (const s of m[1]!.matchAll(/"([^"]+)"/g)) refs.push({ kind: "exact", value: s[1]! });
  }
  for (const m of kql.matchAll(/(?<![.\w])name\s+startswith\s+"([^"]+)"/g)) refs.push({ kind: "prefix", value: m[1]! });
  const other = /(?<![.\w])name\s*(!=|=~|!~|![a-z_]+|in~|has[a-z_]*|contains[a-z_]*|endswith[a-z_]*|matches|startswith_cs)/.exec(kql);
  if (other) throw new Error(`KQL filters on name with "${other[1]}", which the drift check cannot verify`);
  return refs;
}

/** Which table a query reads; one per query keeps event and metric names apart. */
export function kqlTable(kql: string): "customEvents" | "customMetrics" {
  const events = /\bcustomEvents\b/.test(kql);
  const metrics = /\bcustomMetrics\b/.test(kql);
  if (events === metrics) throw new Error(`query must read exactly one of customEvents or customMetrics:\n${kql}`);
  return events ? "customEvents" : "customMetrics";
}

/** Every `query` string anywhere in a workbook's JSON (query items and parameter queries). */
export function workbookQueries(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(workbookQueries);
  if (node === null || typeof node !== "object") return [];
  return Object.entries(node).flatMap(([key, value]) => (key === "query" && typeof value === "string" ? [value] : workbookQueries(value)));
}

/** Does an emitted name (or family of names) satisfy a reference? */
export function covers(emitted: readonly NameRef[], ref: NameRef): boolean {
  return emitted.some((e) => {
    if (ref.kind === "exact") return e.kind === "exact" ? e.value === ref.value : ref.value.startsWith(e.value) && ref.value.length > e.value.length;
    return e.value.startsWith(ref.value) || (e.kind === "prefix" && ref.value.startsWith(e.value));
  });
}

export function typeScriptFilesUnder(relativeDir: string): string[] {
  return readdirSync(join(ROOT, relativeDir), { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts"))
    .map((f) => read(join(relativeDir, f)));
}
