import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

/** The parts of local.settings.json the host reads, as `func start` does. */
export interface LocalSettings {
  readonly Values: Readonly<Record<string, string>>;
  readonly Host?: { readonly LocalHttpPort?: number; readonly FunctionKey?: string };
}

export function readLocalSettings(path: string): LocalSettings {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new Error(`Cannot read ${path}: ${(e as Error).message}. Copy local.settings.sample.json to local.settings.json to start from working local values.`);
  }
  const s = parsed as Partial<LocalSettings>;
  if (typeof s.Values !== "object" || s.Values === null) throw new Error(`${path} has no "Values" object.`);
  for (const [k, v] of Object.entries(s.Values)) if (typeof v !== "string") throw new Error(`${path}: Values.${k} must be a string.`);
  return s as LocalSettings;
}

/** `%NAME%` in binding properties resolves from app settings, as in Azure. */
export function resolveSetting(value: string, values: Readonly<Record<string, string | undefined>>): string {
  return value.replace(/%([^%]+)%/g, (_, name: string) => {
    // Own settings only: %constructor% must not resolve to Object's.
    const v = Object.hasOwn(values, name) ? values[name] : undefined;
    if (v === undefined || v === "") throw new Error(`The binding expression %${name}% names an app setting that is not set.`);
    return v;
  });
}

/** The settings `npm run serve` reads unless told otherwise: local.settings.json, else the sample. */
export function defaultSettingsFile(root: string): string {
  return ["local.settings.json", "local.settings.sample.json"].map((f) => path.join(root, f)).find((f) => existsSync(f)) ?? path.join(root, "local.settings.sample.json");
}
