import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";

// tools/build.mts is an ES module Node runs as it is (the build cannot need a build).
const load = () => import("../../../tools/build.mjs");
let build: Awaited<ReturnType<typeof load>>;
beforeAll(async () => {
  build = await load();
});

const repo = path.resolve(__dirname, "../../..");

/** A small project in a temp folder, with the real TypeScript. */
function project(): string {
  const root = mkdtempSync(path.join(tmpdir(), "retrainer-build-"));
  mkdirSync(path.join(root, "node_modules"));
  symlinkSync(path.join(repo, "node_modules", "typescript"), path.join(root, "node_modules", "typescript"), "dir");
  writeFileSync(path.join(root, "tsconfig.json"), JSON.stringify({ compilerOptions: { outDir: "dist", rootDir: ".", strict: true, module: "Node16", target: "ES2022", types: [] }, include: ["src/**/*.ts"] }));
  writeFileSync(path.join(root, "package.json"), JSON.stringify({ name: "p", type: "commonjs" }));
  mkdirSync(path.join(root, "src", "sub"), { recursive: true });
  writeFileSync(path.join(root, "src", "a.ts"), 'import { b } from "./sub/b";\nexport const a = b + 1;\n');
  writeFileSync(path.join(root, "src", "sub", "b.ts"), "export const b = 1;\n");
  return root;
}

const planOf = (root: string) => build.plan(build.readProject(root)!);
/** Runs the build quietly, as `npm start` runs it. */
function run(root: string, argv: string[] = []): number {
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = () => true;
  try {
    return build.main(argv, root);
  } finally {
    process.stderr.write = write;
  }
}

describe("plan", () => {
  it("a tree never built is built in full; once built, it is up to date and a second build runs no tsc", () => {
    const root = project();
    expect(planOf(root)).toMatchObject({ kind: "full", reason: "no earlier build of this tree" });
    expect(run(root)).toBe(0);
    expect(readFileSync(path.join(root, "dist/src/a.js"), "utf8")).toContain("sub/b");
    expect(planOf(root)).toEqual({ kind: "up-to-date", sources: 2 });
    const before = statSync(path.join(root, "dist/src/a.js")).mtimeMs;
    expect(run(root)).toBe(0);
    expect(statSync(path.join(root, "dist/src/a.js")).mtimeMs).toBe(before);
  });

  it("a changed, new or deleted source is named and compiled; a deleted source's output is removed", () => {
    const root = project();
    run(root);
    writeFileSync(path.join(root, "src", "sub", "b.ts"), "export const b = 2;\n");
    expect(planOf(root)).toMatchObject({ kind: "incremental", reason: "src/sub/b.ts is new or changed" });
    expect(run(root)).toBe(0);
    expect(readFileSync(path.join(root, "dist/src/sub/b.js"), "utf8")).toContain("b = 2");
    expect(planOf(root).kind).toBe("up-to-date");

    writeFileSync(path.join(root, "src", "c.ts"), "export const c = 3;\n");
    expect(planOf(root)).toMatchObject({ kind: "incremental", reason: "src/c.ts is new or changed" });
    run(root);
    rmSync(path.join(root, "src", "c.ts"));
    expect(planOf(root)).toMatchObject({ kind: "incremental", reason: "src/c.ts deleted", deleted: ["src/c.ts"] });
    expect(run(root)).toBe(0);
    expect(() => statSync(path.join(root, "dist/src/c.js"))).toThrow();
    expect(planOf(root).kind).toBe("up-to-date");
  });

  it("a file saved again unchanged (a newer time, the same content) is no reason to compile", () => {
    const root = project();
    run(root);
    const later = new Date(Date.now() + 60_000);
    utimesSync(path.join(root, "src", "a.ts"), later, later);
    expect(planOf(root).kind).toBe("up-to-date");
  });

  it.each(["tsconfig.json", "package.json"])("a change of %s compiles again", (file) => {
    const root = project();
    run(root);
    writeFileSync(path.join(root, file), readFileSync(path.join(root, file), "utf8").replace(/}$/, ', "x": 1}'));
    expect(planOf(root)).toMatchObject({ kind: "incremental", reason: expect.stringMatching(/tsconfig\.json, package\.json, package-lock\.json or the TypeScript version changed/) as unknown });
  });

  it("dist/ written by something else (a plain tsc, an edit, a deletion) is rebuilt in full", () => {
    const root = project();
    run(root);
    writeFileSync(path.join(root, "dist/src/a.js"), "/* edited */");
    expect(planOf(root)).toMatchObject({ kind: "full", reason: "dist/src/a.js changed or missing since the last build" });
    expect(run(root)).toBe(0);
    expect(readFileSync(path.join(root, "dist/src/a.js"), "utf8")).toContain("sub/b");
    rmSync(path.join(root, "dist/src/sub"), { recursive: true });
    expect(planOf(root)).toMatchObject({ kind: "full" });
    rmSync(path.join(root, "dist"), { recursive: true });
    expect(planOf(root)).toMatchObject({ kind: "full", reason: "no earlier build of this tree" });
  });

  it("a change made back after a plain tsc is still compiled (tsc's incremental state is not trusted then)", () => {
    const root = project();
    run(root);
    // The source changes, something else compiles it, and the change is undone.
    writeFileSync(path.join(root, "src", "sub", "b.ts"), "export const b = 5;\n");
    writeFileSync(path.join(root, "dist/src/sub/b.js"), '"use strict";\nexports.b = 5;\n');
    writeFileSync(path.join(root, "src", "sub", "b.ts"), "export const b = 1;\n");
    expect(run(root)).toBe(0);
    expect(readFileSync(path.join(root, "dist/src/sub/b.js"), "utf8")).toContain("b = 1");
  });

  it("--full compiles even an up-to-date tree; a type error fails the build but not an install (--prepare)", () => {
    const root = project();
    run(root);
    const before = statSync(path.join(root, "dist/src/a.js")).mtimeMs;
    expect(run(root, ["--full"])).toBe(0);
    expect(statSync(path.join(root, "dist/src/a.js")).mtimeMs).not.toBe(before);
    writeFileSync(path.join(root, "src", "sub", "b.ts"), 'export const b: number = "x";\n');
    expect(run(root)).not.toBe(0);
    expect(planOf(root).kind).not.toBe("up-to-date"); // the failed build is tried again next time
    expect(run(root, ["--prepare"])).toBe(0);
  });

  it("without TypeScript (a production install) --prepare builds nothing and does not fail", () => {
    const root = project();
    rmSync(path.join(root, "node_modules", "typescript"));
    expect(run(root, ["--prepare"])).toBe(0);
    expect(run(root)).toBe(1);
  });

  it("a tsconfig.json it cannot follow is left to tsc: always compiled", () => {
    const root = project();
    cpSync(path.join(root, "tsconfig.json"), path.join(root, "base.json"));
    writeFileSync(path.join(root, "tsconfig.json"), JSON.stringify({ extends: "./base.json" }));
    expect(build.readProject(root)).toBeUndefined();
    expect(run(root)).toBe(0);
    expect(readFileSync(path.join(root, "dist/src/a.js"), "utf8")).toContain("sub/b");
  });
});
