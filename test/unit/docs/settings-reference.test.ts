// docs/settings.md is generated from the settings schema (tools/settings-reference.ts): the
// committed file must be what the generator writes today, and its tables must name exactly what
// the schema reads, so a setting added, renamed or re-defaulted without the reference fails here.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { dataChecksSchema, endpointSettingsSchema, loadSettings, SETTING_NAMES, webhooksSchema } from "../../../shared/config/settings";
import { SETTING_DOCS } from "../../../shared/config/setting-docs";
import { REGENERATE_COMMAND, renderSettingsReference, SETTINGS_REFERENCE_PATH } from "../../../tools/settings-reference";

const ROOT = path.resolve(__dirname, "../../..");
const committed = readFileSync(path.join(ROOT, SETTINGS_REFERENCE_PATH), "utf8");
const sample = (JSON.parse(readFileSync(path.join(ROOT, "local.settings.sample.json"), "utf8")) as { Values: Record<string, string> }).Values;

/** The names in the first column of each table under a `## ` heading, by heading. */
function documented(markdown: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let heading = "";
  for (const line of markdown.split("\n")) {
    if (line.startsWith("## ")) heading = line.slice(3);
    const name = /^\| `([^`]+)` \|/.exec(line)?.[1];
    if (name) out.set(heading, [...(out.get(heading) ?? []), name]);
  }
  return out;
}

const tables = documented(committed);
const FIELD_SECTIONS = ["Per-endpoint settings", "Data checks", "Webhooks"];
const topLevel = [...tables].filter(([h]) => !FIELD_SECTIONS.includes(h)).flatMap(([, names]) => names);

describe("docs/settings.md", () => {
  it("is what the generator writes from the schema today", () => {
    const generated = renderSettingsReference();
    if (committed === generated) return;
    const a = committed.split("\n");
    const b = generated.split("\n");
    const i = a.findIndex((line, n) => line !== b[n]);
    const at = i === -1 ? Math.min(a.length, b.length) : i;
    expect.fail(`${SETTINGS_REFERENCE_PATH} is out of date from line ${at + 1}:\n  committed: ${a[at] ?? "(end of file)"}\n  generated: ${b[at] ?? "(end of file)"}\nRun \`${REGENERATE_COMMAND}\` and commit the result.`);
  });

  it("documents every app setting the schema reads, once, and nothing else", () => {
    expect([...topLevel].sort()).toEqual([...SETTING_NAMES].sort());
    expect(new Set(topLevel).size).toBe(topLevel.length);
  });

  it("documents every field of RETRAIN_ENDPOINT_SETTINGS, its data checks and its webhooks, and nothing else", () => {
    expect(tables.get("Per-endpoint settings")).toEqual(Object.keys(endpointSettingsSchema.element.innerType().shape));
    expect(tables.get("Data checks")).toEqual(Object.keys(dataChecksSchema.shape));
    expect(tables.get("Webhooks")).toEqual(Object.keys(webhooksSchema.element.shape));
  });

  it("documents only per-endpoint fields the app accepts: a field it does not know is refused by name", () => {
    const withEndpoint = (fields: Record<string, unknown>) => () =>
      loadSettings({ ...sample, RETRAIN_ENDPOINT_SETTINGS: JSON.stringify({ retrain: fields }) });
    expect(withEndpoint({ gate: "AUC>=0.8", skipUnchanged: false, data: { minRows: 10 } })).not.toThrow();
    expect(withEndpoint({ gaet: "AUC>=0.8" })).toThrow(/gaet/);
  });

  it("gives every duration and size the unit its name carries", () => {
    const suffixes: Record<string, string> = { _SECONDS: "seconds", _MINUTES: "minutes", _HOURS: "hours", _MEGABYTES: "megabytes", _PERCENT: "percent" };
    for (const [name, doc] of Object.entries(SETTING_DOCS)) {
      const suffix = Object.keys(suffixes).find((s) => name.endsWith(s));
      if (suffix) expect((doc as { unit?: string }).unit, name).toBe(suffixes[suffix]);
    }
  });
});
