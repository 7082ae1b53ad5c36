import type { Connection } from "./connection";
import { CliError, EXIT, exitCodeOfStatus } from "./exit-codes";
import { printableUrl, terminalSafe } from "./terminal-text";

/** One call to the app waits at most this long (a cancel waits up to 15 s for the engine). */
export const REQUEST_TIMEOUT_IN_MS = 60_000;

export type Fetch = (input: string, init: RequestInit) => Promise<Response>;

/** A non-2xx answer, with the app's own `error` sentence when it gave one. */
export interface ApiFailure {
  readonly status: number;
  readonly error?: string;
  readonly body: unknown;
}

/** The app's HTTP API as the CLI calls it: JSON in and out, auth headers added, failures as CliError. */
export class RetrainerClient {
  constructor(private readonly connection: Connection, private readonly fetchImpl: Fetch = fetch) {}

  get url(): string {
    return this.connection.url;
  }

  /** The answer's body on 2xx; otherwise a CliError whose exit code follows the status. */
  async call<T>(method: "GET" | "POST", pathAndQuery: string, body?: unknown): Promise<T> {
    const r = await this.send(method, pathAndQuery, body);
    if ("failure" in r) throw this.failure(r.failure);
    return r.body as T;
  }

  /** Like `call`, but a non-2xx answer is returned for the caller to word (e.g. a rollback's 400 naming the latest promotion). */
  async send(method: "GET" | "POST", pathAndQuery: string, body?: unknown): Promise<{ body: unknown; status: number } | { failure: ApiFailure }> {
    const headers: Record<string, string> = { Accept: "application/json" };
    if (this.connection.functionKey) headers["x-functions-key"] = this.connection.functionKey;
    if (this.connection.token) headers.Authorization = `Bearer ${this.connection.token}`;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let res: Response;
    try {
      res = await this.fetchImpl(`${this.connection.url}${pathAndQuery}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}), signal: AbortSignal.timeout(REQUEST_TIMEOUT_IN_MS) });
    } catch (e) {
      throw this.unreachable(e);
    }
    const text = await res.text().catch(() => "");
    let parsed: unknown = text;
    try {
      parsed = text === "" ? undefined : JSON.parse(text);
    } catch {
      // A proxy's HTML page or a plain-text answer stays text.
    }
    if (res.ok) return { body: parsed, status: res.status };
    const error = typeof parsed === "object" && parsed !== null && typeof (parsed as { error?: unknown }).error === "string" ? (parsed as { error: string }).error : undefined;
    return { failure: { status: res.status, body: parsed, ...(error ? { error } : {}) } };
  }

  /** The CliError for a failure, worded for what a person can do about it. */
  failure(f: ApiFailure): CliError {
    const said = f.error ? terminalSafe(f.error.slice(0, 2_000)) : undefined;
    const code = exitCodeOfStatus(f.status);
    if (f.status === 401 || f.status === 403) {
      const how = this.connection.functionKey || this.connection.token
        ? "the key or token given was refused: check RETRAINER_KEY (the app's function key) or RETRAINER_TOKEN"
        : "no key was sent: set RETRAINER_KEY to the app's function key (or RETRAINER_TOKEN to a bearer token for App Service authentication)";
      return new CliError(`${printableUrl(this.url)} answered ${f.status}: ${said ?? how}${said ? ` (${how})` : ""}`, code);
    }
    if (f.status >= 500) return new CliError(`The app at ${printableUrl(this.url)} failed (${f.status})${said ? `: ${said}` : ""}; see its log.`, code);
    return new CliError(said ?? `The app answered ${f.status}.`, code);
  }

  private unreachable(e: unknown): CliError {
    const timedOut = (e as Error).name === "TimeoutError";
    const where = printableUrl(this.url);
    const hint = this.connection.source === "default"
      ? "Start it with `npm run serve` in the project, or point at another with --url or RETRAINER_URL."
      : `It came from ${this.connection.source}; is the app running there? Locally: \`npm run serve\`.`;
    return new CliError(timedOut ? `The app at ${where} did not answer within ${REQUEST_TIMEOUT_IN_MS / 1000} s. ${hint}` : `Nothing answered at ${where}. ${hint}`, EXIT.unreachable);
  }
}
