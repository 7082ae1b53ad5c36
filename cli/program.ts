import { readFileSync } from "node:fs";
import path from "node:path";
import { Command, CommanderError, Option } from "commander";
import { registerEndpoints } from "./commands/endpoints";
import { registerRuns } from "./commands/runs";
import { registerDecisions } from "./commands/decide";
import { registerRollback } from "./commands/rollback";
import { COMPLETIONS } from "./completion";
import { CliError, EXIT, EXIT_CODES_HELP } from "./exit-codes";
import type { Io } from "./io";
import { terminalSafe } from "./terminal-text";

const ENVIRONMENT_HELP = `Environment:
  RETRAINER_URL        the app (default: a running \`npm run serve\` found in .local/connection.json, else http://127.0.0.1:7071)
  RETRAINER_KEY        the app's function key, sent as x-functions-key
  RETRAINER_TOKEN      a bearer token, for App Service authentication in Azure
  RETRAINER_STATE_DIR  where \`npm run serve\` keeps its state (default .local)
  NO_COLOR             no colour (FORCE_COLOR=1 forces it)`;

function version(): string {
  try {
    return (JSON.parse(readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8")) as { version: string }).version;
  } catch {
    return "unknown";
  }
}

/** The whole program; `setExit` records what a command wants to exit with (a followed run's outcome). */
export function buildProgram(io: Io, setExit: (code: number) => void = () => undefined): Command {
  const program = new Command("retrainer")
    .description("Operate the retrainer app from a terminal or a script: endpoints, runs, approvals, rollbacks.")
    .version(version(), "-V, --version")
    .option("--url <url>", "the app's URL (else RETRAINER_URL, a running npm run serve, http://127.0.0.1:7071)")
    .addOption(new Option("-o, --output <format>", "table, or the API's JSON (default: table on a terminal, JSON when piped)").choices(["table", "json"]))
    .option("--no-color", "no colour (also NO_COLOR)")
    .showSuggestionAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: (s, write) => write(terminalSafe(s.trimEnd()) + "\n"),
    })
    .addHelpText("after", `\n${ENVIRONMENT_HELP}\n\n${EXIT_CODES_HELP}\n\nEvery command takes --help; docs/cli.md has examples.`);
  registerEndpoints(program, io);
  registerRuns(program, io, setExit);
  registerDecisions(program, io);
  registerRollback(program, io, setExit);
  program
    .command("completion")
    .description("print a shell completion script")
    .argument("<shell>", "bash, zsh or fish")
    .addHelpText("after", "\nInstall:\n  retrainer completion bash > ~/.local/share/bash-completion/completions/retrainer\n  retrainer completion zsh > \"${fpath[1]}/_retrainer\"\n  retrainer completion fish > ~/.config/fish/completions/retrainer.fish")
    .action((shell: string) => {
      if (!Object.hasOwn(COMPLETIONS, shell)) throw new CliError(`completion: SHELL must be bash, zsh or fish; got "${shell.slice(0, 20)}"`, EXIT.usage);
      io.stdout.write(COMPLETIONS[shell as keyof typeof COMPLETIONS](program));
    });
  // The shells as choices, so completion completes them too (set after: the action checks them with a clearer message).
  program.commands.at(-1)!.registeredArguments[0]!.choices(["bash", "zsh", "fish"]);
  return program;
}

/**
 * Runs the program on `argv` (without node and script) and returns the exit code: errors are one
 * line on stderr, already terminal-safe; commander's own (unknown command, missing argument, bad
 * choice) are usage errors, 2.
 */
export async function run(io: Io, argv: readonly string[]): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram(io, (c) => (code = c));
  try {
    await program.parseAsync([...argv], { from: "user" });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help") return EXIT.ok;
      // A bare `retrainer` or `retrainer runs` shows the help (on stderr) and is a usage error.
      return EXIT.usage;
    }
    if (e instanceof CliError) {
      io.stderr.write(`error: ${terminalSafe(e.message)}\n`);
      return e.exitCode;
    }
    io.stderr.write(`error: ${terminalSafe((e as Error).message ?? String(e))}\n`);
    return EXIT.unreachable;
  }
}
