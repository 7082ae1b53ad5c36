/** What the CLI touches of the outside world, so tests run it in-process with fakes. */
export interface Io {
  readonly stdout: { write(text: string): unknown; readonly isTTY?: boolean; readonly columns?: number };
  readonly stderr: { write(text: string): unknown; readonly isTTY?: boolean };
  readonly stdinIsTTY: boolean;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly fetch?: (input: string, init: RequestInit) => Promise<Response>;
  readonly nowInMs: () => number;
  /** Resolves after `ms`, or early when the signal aborts. */
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Calls back on Ctrl-C; returns the unsubscribe. */
  readonly onInterrupt: (handler: () => void) => () => void;
  /** A yes/no question on the terminal. */
  readonly confirm: (question: string) => Promise<boolean>;
}
