import path from "node:path";
import { readFileSync } from "node:fs";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

/**
 * The lint that keeps orchestrators replay-safe, held to what it must refuse: the text of a real
 * orchestrator file with one line added is linted under the project's own config.
 */
const ROOT = path.resolve(__dirname, "../../..");
const FILE = path.join(ROOT, "functions/orchestrators/policies.ts");
const eslint = new ESLint({ cwd: ROOT });
const original = readFileSync(FILE, "utf8");

async function problems(line: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${line}\n${original}`, { filePath: FILE });
  return result!.messages.filter((m) => m.line === 1).map((m) => m.message);
}

describe("orchestrator lint", () => {
  it("passes the file as it is", async () => {
    const [result] = await eslint.lintText(original, { filePath: FILE });
    expect(result!.messages).toEqual([]);
  });

  it.each([
    ['import { appDependencies } from "../app/dependencies"; void appDependencies;', /composition root/],
    ['import { BesClient } from "../../shared/backends/classic/bes-client"; void BesClient;', /must not import clients/],
    ['import { StagingClient } from "../../shared/storage/staging"; void StagingClient;', /must not import clients/],
    ['import { createActivities } from "../activities/activities"; void createActivities;', /only the types of activities/],
    ['import { readFileSync } from "node:fs"; void readFileSync;', /no I\/O/],
    ["export const t = Date.now();", /currentUtcDateTime/],
    ["export const r = Math.random();", /deterministic/],
    ["export const d = new Date();", /currentUtcDateTime/],
    ["export const e = process.env.X;", /process/],
  ])("refuses %s", async (line, message) => {
    expect(await problems(line)).toEqual(expect.arrayContaining([expect.stringMatching(message)]));
  });

  it("allows the activity factories' types", async () => {
    expect(await problems('import type { createActivities } from "../activities/activities"; export type A = typeof createActivities;')).toEqual([]);
  });
});
