import type { IncomingMessage, ServerResponse } from "node:http";
import { AmlHttpError } from "./errors";

export interface Request {
  readonly method: string;
  readonly url: URL;
  readonly params: Readonly<Record<string, string>>;
  readonly headers: IncomingMessage["headers"];
  /** The body parsed as JSON; throws 400 for malformed JSON and 413 past the size limit. */
  json(): Promise<unknown>;
  readonly raw: IncomingMessage;
}

export interface Reply {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export type Handler = (req: Request) => Promise<Reply> | Reply;

interface Route {
  readonly method: string;
  readonly pattern: RegExp;
  readonly keys: readonly string[];
  readonly handler: Handler;
}

/** A route table: `/workspaces/:ws/services/:svc/jobs` style patterns, matched case-insensitively as IIS did. */
export class Router {
  private readonly routes: Route[] = [];

  add(method: string, path: string, handler: Handler): this {
    const keys: string[] = [];
    const source = path.replace(/:([A-Za-z]+)/g, (_, k: string) => {
      keys.push(k);
      return "([^/]+)";
    });
    this.routes.push({ method, pattern: new RegExp(`^${source}/?$`, "i"), keys, handler });
    return this;
  }

  match(method: string, pathname: string): { handler: Handler; params: Record<string, string> } {
    let pathMatched = false;
    for (const r of this.routes) {
      const m = r.pattern.exec(pathname);
      if (!m) continue;
      pathMatched = true;
      if (r.method !== method) continue;
      const params: Record<string, string> = {};
      r.keys.forEach((k, i) => (params[k] = decodeURIComponent(m[i + 1]!)));
      return { handler: r.handler, params };
    }
    if (pathMatched) throw new AmlHttpError(405, "MethodNotAllowed", `${method} is not supported on ${pathname}.`);
    throw new AmlHttpError(404, "NotFound", `No resource at ${pathname}.`, "ResourceNotFound");
  }
}

export function send(res: ServerResponse, reply: Reply): void {
  const headers: Record<string, string> = { ...reply.headers };
  if (reply.body === undefined) {
    res.writeHead(reply.status, headers).end();
    return;
  }
  const text = JSON.stringify(reply.body);
  headers["Content-Type"] = "application/json; charset=utf-8";
  res.writeHead(reply.status, headers).end(text);
}
