import { accessSync, constants, statSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";

/** One flag of a command: `--name=VALUE` (string) or `--name` (boolean). */
export interface Flag {
  readonly type: "string" | "boolean";
  /** The value as `--help` shows it, e.g. "FILE.csv". */
  readonly value?: string;
  readonly help: string;
  /** Why a value is refused (undefined when it is fine); runs before anything starts. */
  readonly check?: (value: string) => string | undefined;
}

export type Flags = Readonly<Record<string, Flag>>;

export type FlagValues<F extends Flags> = { -readonly [K in keyof F]?: F[K]["type"] extends "boolean" ? true : string };

/** A command line the program refuses. Exit code 2, the convention for usage errors, so scripts can tell it from a failed run (1). */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

export const USAGE_EXIT_CODE = 2;

export interface Command<F extends Flags> {
  /** How it is run, e.g. "npm start --". */
  readonly command: string;
  readonly about: string;
  readonly flags: F;
}

const HELP: Flag = { type: "boolean", help: "show these options and exit" };

/** The options as `--help` prints them, one a line, each with its value and what it does. */
export function helpText<F extends Flags>(c: Command<F>): string {
  const all: [string, Flag][] = [...Object.entries(c.flags), ["help", HELP]];
  const shown = all.map(([name, f]) => [`--${name}${f.type === "string" ? `=${f.value ?? "VALUE"}` : ""}${name === "help" ? ", -h" : ""}`, f.help] as const);
  const width = Math.max(...shown.map(([s]) => s.length)) + 2;
  return [`Usage: ${c.command} [options]`, "", c.about, "", "Options:", ...shown.map(([s, h]) => `  ${s.padEnd(width)}${h}`)].join("\n");
}

/**
 * The flags given, each checked: unknown names (with the nearest known one), a value on a switch,
 * a missing or empty value, a flag given twice, stray arguments and each flag's own `check` are
 * refused by name. `help` when --help or -h was given (it wins over everything else).
 */
export function parseFlags<F extends Flags>(argv: readonly string[], flags: F): { help: true } | { help: false; values: FlagValues<F> } {
  const options: Record<string, { type: Flag["type"]; short?: string }> = { help: { type: "boolean", short: "h" } };
  for (const [n, f] of Object.entries(flags)) options[n] = { type: f.type };
  const { tokens } = parseArgs({ args: [...argv], options, strict: false, allowPositionals: true, tokens: true });
  if (tokens.some((t) => t.kind === "option" && t.name === "help")) return { help: true };
  const known = Object.keys(flags);
  const values: Record<string, string | true> = {};
  for (const t of tokens) {
    if (t.kind === "option-terminator") continue;
    if (t.kind === "positional") throw new UsageError(`Unexpected argument ${quoted(t.value)}: options are --name=value or --name. Known options: ${list(known)}.`);
    const flag = Object.hasOwn(flags, t.name) ? flags[t.name] : undefined;
    if (!flag) {
      const near = nearest(t.name, known);
      throw new UsageError(`Unknown option ${t.rawName.length > 80 ? quoted(t.rawName) : t.rawName}${near ? ` (did you mean --${near}?)` : ""}. Known options: ${list(known)}.`);
    }
    if (Object.hasOwn(values, t.name)) throw new UsageError(`--${t.name} is given twice; give it once.`);
    if (flag.type === "boolean") {
      if (t.value !== undefined) throw new UsageError(`--${t.name} is a switch and takes no value (got ${quoted(t.value)}).`);
      values[t.name] = true;
      continue;
    }
    // `--gate --watch`: the next option is not this one's value.
    if (t.value === undefined || t.value === "" || (!t.inlineValue && t.value.startsWith("-"))) {
      throw new UsageError(`--${t.name} needs a value: --${t.name}=${flag.value ?? "VALUE"}.`);
    }
    const problem = flag.check?.(t.value);
    if (problem) throw new UsageError(problem.startsWith(`--${t.name} `) ? problem : `--${t.name}: ${problem}`);
    values[t.name] = t.value;
  }
  return { help: false, values: values as FlagValues<F> };
}

/**
 * A program's command line, read before it starts anything: --help prints the options and exits
 * 0; a refused command line (here, or in `check`, for what depends on several flags) prints why
 * and exits 2.
 */
export function readCommandLine<F extends Flags, T>(c: Command<F>, argv: readonly string[], check: (values: FlagValues<F>) => T): T {
  try {
    const r = parseFlags(argv, c.flags);
    const swallowed = takenByNpm(c.flags, process.env);
    if (swallowed.length > 0 && !r.help) {
      const shown = swallowed.map(([n, v]) => (v === "true" && c.flags[n]!.type === "boolean" ? `--${n}` : `--${n}=${/^[\w.,:/@%+=-]*$/.test(v) ? v : JSON.stringify(v)}`));
      throw new UsageError(`npm took ${swallowed.map(([n]) => `--${n}`).join(", ")} for itself, so the program never saw ${swallowed.length > 1 ? "them" : "it"}: options go after "--", as in ${c.command} ${shown.join(" ")}`);
    }
    if (r.help) {
      console.log(helpText(c));
      process.exit(0);
    }
    return check(r.values);
  } catch (e) {
    if ((e as Error).name !== "UsageError") throw e;
    console.error(`${c.command.split(" --")[0]}: ${printable((e as Error).message)}\nRun "${c.command} --help" for the options.`);
    process.exit(USAGE_EXIT_CODE);
  }
}

/**
 * `npm start --gate=x`, without `--`, gives the option to npm, which passes it on only as the
 * environment variable npm_config_gate: the program would run without it and say nothing.
 */
function takenByNpm(flags: Flags, env: NodeJS.ProcessEnv): [string, string][] {
  if (!env.npm_lifecycle_event) return [];
  return Object.keys(flags).flatMap((n): [string, string][] => {
    const v = env[`npm_config_${n.replace(/-/g, "_")}`];
    return v ? [[n, v]] : [];
  });
}

/** Control characters from the command line are shown, not sent to the terminal (an escape sequence could rewrite what it shows). */
// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const printable = (text: string) => text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (ch) => (ch === "\n" ? ch : `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`));

/** An argument as a message quotes it: long ones are not echoed whole. */
const quoted = (text: string) => `"${text.length > 80 ? `${text.slice(0, 80)}…` : text}"`;

const list = (names: readonly string[]) => [...names, "help"].map((n) => `--${n}`).join(", ");

/** The known name within two edits of a mistyped one (`gat` → `gate`), if any. */
function nearest(name: string, known: readonly string[]): string | undefined {
  const scored = known.map((k) => [k, distance(name.toLowerCase(), k)] as const).sort((a, b) => a[1] - b[1]);
  return scored[0] && scored[0][1] <= 2 ? scored[0][0] : undefined;
}

function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length]!;
}

/** Checks shared by the local programs' flags. */
export const check = {
  oneOf: (allowed: readonly string[]) => (v: string) => (allowed.includes(v) ? undefined : `${quoted(v)} is not one of ${allowed.join(", ")}.`),
  wholeNumber: (min: number, max: number) => (v: string) =>
    /^\d+$/.test(v) && Number(v) >= min && Number(v) <= max ? undefined : `must be a whole number from ${min.toLocaleString("en")} to ${max.toLocaleString("en")}, got ${quoted(v)}.`,
  port: (v: string) => (/^\d{1,5}$/.test(v) && Number(v) <= 65_535 ? undefined : `must be a port from 0 to 65535, got ${quoted(v)}.`),
  readableFile: (v: string) => {
    const p = path.resolve(v);
    try {
      if (!statSync(p).isFile()) return `${p} is not a file.`;
      accessSync(p, constants.R_OK);
      return undefined;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      return code === "ENOENT" || code === "ENOTDIR" ? `${p} does not exist.` : `${p} cannot be read (${code ?? "error"}).`;
    }
  },
  /** A folder that is one, or will be created. */
  folder: (v: string) => {
    const p = path.resolve(v);
    try {
      return statSync(p).isDirectory() ? undefined : `${p} exists and is not a folder.`;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      return code === "ENOENT" ? undefined : `${p} cannot be used (${code ?? "error"}).`;
    }
  },
} as const;
