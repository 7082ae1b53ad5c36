// `npm run docs:settings`: writes docs/settings.md from the settings schema itself — each field's
// description (shared/config/setting-docs.ts, laid onto the schema), default, enum and bounds (the
// zod field), so the reference cannot drift from what the app accepts. The committed file is held
// to this output by test/unit/docs/settings-reference.test.ts.
import { writeFileSync } from "node:fs";
import type { z } from "zod";
import { dataChecksSchema, endpointSettingsSchema, settingsSchema, webhooksSchema } from "../shared/config/settings";
import { DATA_CHECK_DOCS, ENDPOINT_FIELD_DOCS, SETTING_DOCS, SETTING_SECTIONS, WEBHOOK_FIELD_DOCS, type FieldDoc } from "../shared/config/setting-docs";
import { DEFAULT_DATA_EXPECTATIONS } from "../shared/data/checks";
import { allowedFromFacts, factsOf } from "./schema-facts";

export const SETTINGS_REFERENCE_PATH = "docs/settings.md";
export const REGENERATE_COMMAND = "npm run docs:settings";

/** One table row per field, in the schema's order. `defaults` supplies defaults kept outside the schema. */
function table(what: "Setting" | "Field", shape: Record<string, z.ZodTypeAny>, docs: Readonly<Record<string, FieldDoc>>, names: readonly string[], defaults: Readonly<Record<string, unknown>> = {}): string {
  const rows = names.map((name) => {
    const field = shape[name]!;
    const doc = docs[name]!;
    if (field.description !== doc.description) throw new Error(`${name}: the schema's description is not its entry in setting-docs.ts (is it built with described()?)`);
    const facts = factsOf(field);
    const schemaDefault = "default" in facts ? facts.default : defaults[name];
    if (schemaDefault !== undefined && doc.defaultText) throw new Error(`${name}: the schema has a default (${JSON.stringify(schemaDefault)}); defaultText would contradict it`);
    const shown = schemaDefault === "" ? "none"
      : schemaDefault !== undefined ? code(typeof schemaDefault === "string" ? schemaDefault : JSON.stringify(schemaDefault))
        : doc.defaultText ?? (facts.optional ? "unset" : "**required**");
    const notes = [doc.secret && "*Secret: redacted wherever text leaves the app.*", doc.localOnly && "*Local only: never set in Azure.*"].filter(Boolean);
    const allowed = [allowedFromFacts(facts), doc.allowed].filter(Boolean).join("; ");
    return [code(name), [doc.description, ...notes].join(" "), doc.unit ?? "", shown, allowed].map(cell).join(" | ");
  });
  return [`| ${what} | Description | Unit | Default | Allowed values |`, "|---|---|---|---|---|", ...rows.map((r) => `| ${r} |`)].join("\n");
}

/** Inline code that survives any backticks inside it. */
const code = (text: string): string => (text.includes("`") ? `\`\` ${text} \`\`` : `\`${text}\``);
/** A table cell: a pipe would end it, a newline would end the row. */
const cell = (text: string): string => text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");

export function renderSettingsReference(): string {
  const shape = settingsSchema.innerType().shape as unknown as Record<string, z.ZodTypeAny>;
  const names = Object.keys(shape);
  const sections = Object.entries(SETTING_SECTIONS).map(([key, title]) => {
    const inSection = names.filter((n) => SETTING_DOCS[n as keyof typeof SETTING_DOCS].section === key);
    return `## ${title}\n\n${table("Setting", shape, SETTING_DOCS, inSection)}\n`;
  });
  const endpointShape = endpointSettingsSchema.element.innerType().shape as unknown as Record<string, z.ZodTypeAny>;
  const checksShape = dataChecksSchema.shape as unknown as Record<string, z.ZodTypeAny>;
  const webhookShape = webhooksSchema.element.shape as unknown as Record<string, z.ZodTypeAny>;
  return [
    "# Settings reference",
    "",
    `<!-- Generated from shared/config/settings.ts and shared/config/setting-docs.ts by \`${REGENERATE_COMMAND}\`; do not edit by hand. -->`,
    "",
    "Every app setting the retrainer reads, validated once at start-up: a bad setting stops the app with",
    "a message naming it (never its value), and an unresolved Key Vault reference is named with the fix.",
    "Locally the values live in `local.settings.json` (copy [`local.settings.sample.json`](../local.settings.sample.json));",
    "in Azure they are the Function App's app settings, set by `azd up` ([deploy.md](deploy.md)), secrets as Key Vault references.",
    "Booleans are the text `true` or `false`; JSON settings refuse unknown fields by name.",
    "",
    ...Object.values(SETTING_SECTIONS).map((t) => `- [${t}](#${slug(t)})`),
    "- [Per-endpoint settings](#per-endpoint-settings) (`RETRAIN_ENDPOINT_SETTINGS`)",
    "- [Data checks](#data-checks) (`RETRAIN_DATA_CHECKS`, an endpoint's `data`)",
    "- [Webhooks](#webhooks) (`RETRAIN_WEBHOOKS`, an endpoint's `webhooks`)",
    "",
    ...sections,
    "## Per-endpoint settings",
    "",
    "The fields of each endpoint's entry in `RETRAIN_ENDPOINT_SETTINGS`; a field left out takes the app-wide setting.",
    "",
    table("Field", endpointShape, ENDPOINT_FIELD_DOCS, Object.keys(endpointShape)),
    "",
    "## Data checks",
    "",
    "The fields of `RETRAIN_DATA_CHECKS` and of an endpoint's `data`: the defaults, then `RETRAIN_DATA_CHECKS`, then the endpoint's own, field by field.",
    "",
    table("Field", checksShape, DATA_CHECK_DOCS, Object.keys(checksShape), DEFAULT_DATA_EXPECTATIONS as unknown as Record<string, unknown>),
    "",
    "## Webhooks",
    "",
    "The fields of each webhook in `RETRAIN_WEBHOOKS` or an endpoint's `webhooks`.",
    "",
    table("Field", webhookShape, WEBHOOK_FIELD_DOCS, Object.keys(webhookShape)),
    "",
  ].join("\n");
}

/** GitHub's heading anchor for a plain-text heading. */
const slug = (heading: string): string => heading.toLowerCase().replace(/[^\p{L}\p{N}\p{M}\p{Pc}\- ]/gu, "").replace(/ /g, "-");

if (require.main === module) {
  writeFileSync(SETTINGS_REFERENCE_PATH, renderSettingsReference());
  console.log(`wrote ${SETTINGS_REFERENCE_PATH}`);
}
