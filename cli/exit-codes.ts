/**
 * What `retrainer` exits with, so scripts can branch on it (docs/cli.md and `retrainer --help`
 * list these). 2 for usage follows the shells' and getopt's convention; 130 for Ctrl-C is the
 * shells' 128 + SIGINT.
 */
export const EXIT = {
  ok: 0,
  /** A followed run ended failed, rejected, data-rejected, rolled back (a retraining run) or cancelled. */
  runFailed: 1,
  usage: 2,
  notFound: 3,
  notAllowed: 4,
  conflict: 5,
  unreachable: 6,
  followTimedOut: 7,
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const EXIT_CODES_HELP = `Exit codes:
  0    done (a followed run promoted, completed its dry run, or found its data unchanged)
  1    the followed run ended failed, rejected, data-rejected, rolled back or cancelled
  2    usage error: a bad command, flag or value (also the app's 400: a bad gate, say)
  3    not found (404): no such run or endpoint
  4    not allowed (401/403): set RETRAINER_KEY or RETRAINER_TOKEN
  5    conflict (409): another run is in progress, or the run is not the one waiting
  6    cannot reach the app, or it failed (5xx)
  7    --timeout passed while following (the run goes on)
  130  Ctrl-C while following (the run goes on)`;

/** An error the CLI reports in one sentence (already safe to print) and exits with. */
export class CliError extends Error {
  override readonly name = "CliError";
  constructor(message: string, readonly exitCode: ExitCode) {
    super(message);
  }
}

/** The exit code an HTTP status from the app maps to (only called for statuses that are not 2xx). */
export function exitCodeOfStatus(status: number): ExitCode {
  if (status === 404) return EXIT.notFound;
  if (status === 401 || status === 403) return EXIT.notAllowed;
  if (status === 409) return EXIT.conflict;
  if (status >= 400 && status < 500) return EXIT.usage;
  return EXIT.unreachable;
}
