// `npm start`, `npm run serve` and `npm install` (prepare) build through this file, run by Node
// itself (type stripping, no build step before the build): it skips tsc entirely when nothing
// tsc reads changed since the last build it made, and otherwise compiles incrementally.
// `npm run build` (--full) always compiles everything from scratch, as CI needs.
//
// "Nothing changed" is decided by content, not by clocks: a hash of every source tsconfig.json
// includes, tsconfig.json, package.json, package-lock.json and TypeScript's version. A source
// added or deleted changes the set; a deleted source's output is removed so a stale module
// cannot be loaded. dist/ written by anything else (a plain `npx tsc`, a hand edit) is noticed
// by the outputs' modification times and answered with a full build, since tsc's own
// incremental state no longer describes dist/ then.
import { createHash } from "node:crypto";
import { existsSync, globSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { pathToFileURL } from "node:url";

const STAMP = ".build-stamp.json";
const BUILD_INFO = ".tsbuildinfo";
const CONFIG_INPUTS = ["tsconfig.json", "package.json", "package-lock.json", "node_modules/typescript/package.json"];

/** What the last build saw and left. */
export interface Stamp {
  readonly version: 1;
  /** Hash of the config inputs. */
  readonly config: string;
  /** Each source's content hash, by its path from the project root. */
  readonly sources: Readonly<Record<string, string>>;
  /** Each output's modification time (ms) right after the build, by its path from the project root. */
  readonly outputs: Readonly<Record<string, number>>;
}

export type Plan =
  | { readonly kind: "up-to-date"; readonly sources: number }
  | { readonly kind: "incremental" | "full"; readonly reason: string; readonly deleted: readonly string[] };

interface Project {
  readonly root: string;
  readonly outDir: string;
  readonly sources: readonly string[];
}

/** The project as tsconfig.json describes it: its sources (its "include" globs) and its outDir. Undefined when the config has parts this file does not follow. */
export function readProject(root: string): Project | undefined {
  let config: { include?: unknown; files?: unknown; extends?: unknown; references?: unknown; exclude?: unknown; compilerOptions?: { outDir?: unknown } };
  try {
    config = JSON.parse(readFileSync(path.join(root, "tsconfig.json"), "utf8")) as typeof config;
  } catch {
    return undefined; // comments, or no file: let tsc read it and say what is wrong
  }
  const include = config.include;
  const outDir = config.compilerOptions?.outDir;
  if (config.files !== undefined || config.extends !== undefined || config.references !== undefined || config.exclude !== undefined) return undefined;
  if (!Array.isArray(include) || !include.every((p) => typeof p === "string") || typeof outDir !== "string") return undefined;
  const sources = globSync(include, { cwd: root })
    .map((f) => f.split(path.sep).join("/"))
    .filter((f) => !/(^|\/)node_modules\//.test(f) && !f.startsWith(`${outDir.replace(/^\.\//, "")}/`))
    .sort();
  return { root, outDir: path.join(root, outDir), sources };
}

const hash = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");

/** The config inputs' hash: a missing file counts as its absence. */
function configHash(root: string): string {
  return hash(CONFIG_INPUTS.map((f) => `${f}\0${existsSync(path.join(root, f)) ? hash(readFileSync(path.join(root, f))) : "-"}`).join("\n"));
}

/** Where tsc writes a source's JavaScript (declaration files emit nothing). */
export function outputOf(p: Project, source: string): string | undefined {
  if (source.endsWith(".d.ts")) return undefined;
  return path.relative(p.root, path.join(p.outDir, source.replace(/\.ts$/, ".js"))).split(path.sep).join("/");
}

function mtimeOf(file: string): number | undefined {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

function readStamp(p: Project): Stamp | undefined {
  try {
    const s = JSON.parse(readFileSync(path.join(p.outDir, STAMP), "utf8")) as Stamp;
    return s.version === 1 ? s : undefined;
  } catch {
    return undefined;
  }
}

/** The inputs as they are now. */
function snapshot(p: Project): Pick<Stamp, "config" | "sources"> {
  return { config: configHash(p.root), sources: Object.fromEntries(p.sources.map((s) => [s, hash(readFileSync(path.join(p.root, s)))])) };
}

const few = (names: readonly string[]) => `${names.slice(0, 3).join(", ")}${names.length > 3 ? ` and ${names.length - 3} more` : ""}`;

/** Whether dist/ is what the sources make, and if not, the cheapest correct build. */
export function plan(p: Project, now = snapshot(p)): Plan {
  const stamp = readStamp(p);
  if (!stamp) return { kind: "full", reason: "no earlier build of this tree", deleted: [] };
  const deleted = Object.keys(stamp.sources).filter((s) => !(s in now.sources));
  // Anything else that wrote dist/ leaves tsc's incremental state wrong about it.
  const touched = Object.entries(stamp.outputs).filter(([o, t]) => mtimeOf(path.join(p.root, o)) !== t).map(([o]) => o);
  if (touched.length > 0) return { kind: "full", reason: `${few(touched)} changed or missing since the last build`, deleted };
  const missing = p.sources.map((s) => outputOf(p, s)).filter((o): o is string => o !== undefined && !(o in stamp.outputs));
  const changed = p.sources.filter((s) => stamp.sources[s] !== now.sources[s]);
  const reasons = [
    ...(stamp.config !== now.config ? [`${CONFIG_INPUTS.slice(0, 3).join(", ")} or the TypeScript version changed`] : []),
    ...(changed.length > 0 ? [`${few(changed)} ${changed.length === 1 ? "is" : "are"} new or changed`] : []),
    ...(deleted.length > 0 ? [`${few(deleted)} deleted`] : []),
    ...(missing.length > 0 && changed.length === 0 ? [`${few(missing)} missing`] : []),
  ];
  if (reasons.length === 0) return { kind: "up-to-date", sources: p.sources.length };
  return { kind: "incremental", reason: reasons.join("; "), deleted };
}

/** Records what this build saw (before tsc ran: an edit made during the compile is seen next time) and what it left. */
export function writeStamp(p: Project, seen: Pick<Stamp, "config" | "sources">): void {
  const outputs: Record<string, number> = {};
  for (const s of p.sources) {
    const o = outputOf(p, s);
    const t = o === undefined ? undefined : mtimeOf(path.join(p.root, o));
    if (o !== undefined && t !== undefined) outputs[o] = t;
  }
  const stamp: Stamp = { version: 1, ...seen, outputs };
  writeFileSync(path.join(p.outDir, STAMP), `${JSON.stringify(stamp)}\n`);
}

/** A deleted source's output, which a build would otherwise leave behind to be required. */
function removeOutputs(p: Project, deleted: readonly string[]): void {
  for (const s of deleted) {
    const o = outputOf(p, s);
    if (o) for (const f of [o, `${o}.map`]) rmSync(path.join(p.root, f), { force: true });
  }
}

function tsc(root: string, outDir: string): number {
  const bin = path.join(root, "node_modules", "typescript", "bin", "tsc");
  const r = spawnSync(process.execPath, [bin, "-p", "tsconfig.json", "--incremental", "--tsBuildInfoFile", path.join(outDir, BUILD_INFO)], { cwd: root, stdio: "inherit" });
  return r.status ?? 1;
}

/**
 * `node tools/build.mts [--full] [--prepare]`. --full: compile everything (`npm run build`).
 * --prepare (`npm install`): a production install without TypeScript, or a tree that does not
 * compile, does not fail the install; it says so.
 */
export function main(argv: readonly string[], root = process.cwd()): number {
  const full = argv.includes("--full");
  const prepare = argv.includes("--prepare");
  const say = (line: string) => process.stderr.write(`build: ${line}\n`);
  if (!existsSync(path.join(root, "node_modules", "typescript", "bin", "tsc"))) {
    say("TypeScript is not installed (a production install?): nothing built; `npm install` installs it.");
    return prepare ? 0 : 1;
  }
  const started = Date.now();
  const project = readProject(root);
  const seen = project ? snapshot(project) : undefined;
  const p: Plan = full ? { kind: "full", reason: "npm run build compiles everything", deleted: [] } : project ? plan(project, seen) : { kind: "full", reason: "tsconfig.json has parts this check does not follow", deleted: [] };
  if (p.kind === "up-to-date") {
    say(`dist/ is up to date with its ${p.sources} sources; tsc skipped (${Date.now() - started} ms).`);
    return 0;
  }
  const outDir = project?.outDir ?? path.join(root, "dist");
  if (project) removeOutputs(project, p.deleted);
  // Without its incremental state tsc compiles and emits every file.
  if (p.kind === "full") rmSync(path.join(outDir, BUILD_INFO), { force: true });
  rmSync(path.join(outDir, STAMP), { force: true });
  say(`${p.reason}: compiling${p.kind === "incremental" ? " what changed" : " everything"} (tsc)…`);
  const code = tsc(root, outDir);
  if (code !== 0) {
    say(`tsc failed (exit code ${code}); the errors are above.${prepare ? " The install itself is complete; `npm run build` compiles again." : ""}`);
    return prepare ? 0 : code;
  }
  // Read again: tsc resolved the globs itself, after this file did.
  if (project && seen) writeStamp(readProject(root) ?? project, seen);
  say(`compiled in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) process.exit(main(process.argv.slice(2)));
