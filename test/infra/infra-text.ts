// Small text parsers for the drift checks, with deliberately narrow patterns that fail loudly
// when a file no longer has the expected shape. KQL is not read here but by Kusto's own parser
// (./kql).
import { readFileSync } from "node:fs";
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

/** Every `query` string anywhere in a workbook's JSON (query items and parameter queries). */
export function workbookQueries(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(workbookQueries);
  if (node === null || typeof node !== "object") return [];
  return Object.entries(node).flatMap(([key, value]) => (key === "query" && typeof value === "string" ? [value] : workbookQueries(value)));
}
