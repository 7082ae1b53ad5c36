import type { Command } from "commander";
import { RetrainerClient } from "./api-client";
import { resolveConnection } from "./connection";
import { Output, useColor, type OutputMode } from "./format";
import type { Io } from "./io";

/** The global flags, as every command sees them. */
export interface GlobalOptions {
  readonly url?: string;
  readonly output?: OutputMode;
  readonly color: boolean;
}

export interface Context {
  readonly io: Io;
  readonly out: Output;
  readonly api: RetrainerClient;
}

/** The client and output for a command's action, from the global flags and the environment. */
export function contextOf(io: Io, command: Command): Context {
  const g = command.optsWithGlobals<GlobalOptions>();
  // Piped output is for scripts: JSON unless asked otherwise.
  const mode: OutputMode = g.output ?? (io.stdout.isTTY ? "table" : "json");
  const connection = resolveConnection({ ...(g.url !== undefined ? { flagUrl: g.url } : {}), env: io.env, cwd: io.cwd });
  return { io, out: new Output(io, mode, useColor(io, g.color)), api: new RetrainerClient(connection, io.fetch) };
}
