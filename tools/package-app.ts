// `npm run package:azure [-- --out=DIR]`: the folder azd deploys (azure.yaml `dist`), built the
// way the Functions host needs it and no bigger: the compiled app (dist/functions, dist/shared),
// host.json, package.json, and the production dependencies exactly as package-lock.json resolves
// them, copied from node_modules (no install, no network). No tests, no local host, no emulator,
// no dev dependencies (a remote build installed those too: 526 MB of node_modules), none of the
// dependencies' files that nothing runs.
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, readdirSync } from "node:fs";
import path from "node:path";

export interface AppPackage {
  readonly dir: string;
  readonly files: number;
  readonly bytes: number;
  readonly packages: number;
}

/** What the app needs at run time from the build; the rest of dist/ is local tooling. */
const APP_CODE = ["dist/functions", "dist/shared"];
const APP_FILES = ["host.json", "package.json"];

/**
 * Files in dependencies that nothing runs: type declarations, source maps, TypeScript sources and
 * markdown (licences stay). Two thirds of the files of the production tree, and the slow part of
 * copying it.
 */
const NOT_RUN = /\.(d\.[cm]?ts|map|ts|md|markdown)$/i;

interface LockEntry { readonly dev?: boolean; readonly link?: boolean; readonly optional?: boolean }

/** node_modules paths of every package a production install has, from the lock file. */
export function productionPackages(root: string): string[] {
  const lock = JSON.parse(readFileSync(path.join(root, "package-lock.json"), "utf8")) as { lockfileVersion: number; packages: Record<string, LockEntry> };
  if (lock.lockfileVersion < 2) throw new Error("package-lock.json must be lockfileVersion 2 or later (npm 7+): it marks dev-only packages.");
  return Object.entries(lock.packages)
    .filter(([key, e]) => key.startsWith("node_modules/") && !e.dev && !e.link)
    // an optional package for another platform is in the lock file but not installed
    .filter(([key, e]) => !e.optional || existsSync(path.join(root, key)))
    .map(([key]) => key);
}

export function packageApp(root: string, out: string): AppPackage {
  for (const p of [...APP_CODE, ...APP_FILES]) {
    if (!existsSync(path.join(root, p))) throw new Error(`${p} is missing: run \`npm run build\` first.`);
  }
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  for (const p of [...APP_CODE, ...APP_FILES]) cpSync(path.join(root, p), path.join(out, p), { recursive: true });
  const packages = productionPackages(root);
  for (const p of packages) {
    const from = path.join(root, p);
    if (!existsSync(from)) throw new Error(`${p} is in package-lock.json but not installed: run \`npm ci\` first.`);
    // A nested package is copied with its parent; copying it again is harmless but wasted.
    if (!existsSync(path.join(out, p))) cpSync(from, path.join(out, p), { recursive: true, dereference: false, filter: (src) => !NOT_RUN.test(src) });
  }
  const { files, bytes } = sizeOf(out);
  return { dir: out, files, bytes, packages: packages.length };
}

function sizeOf(dir: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      const s = sizeOf(p);
      files += s.files;
      bytes += s.bytes;
    } else {
      files++;
      bytes += statSync(p).size;
    }
  }
  return { files, bytes };
}

if (require.main === module) {
  const root = path.resolve(__dirname, "..", "..");
  const outArg = process.argv.find((a) => a.startsWith("--out="))?.slice("--out=".length);
  const out = path.resolve(root, outArg ?? ".azure-package");
  const p = packageApp(root, out);
  console.log(`Deployment package: ${path.relative(process.cwd(), p.dir) || "."}: ${p.files} files, ${(p.bytes / 1024 / 1024).toFixed(1)} MiB, ${p.packages} production packages.`);
}
