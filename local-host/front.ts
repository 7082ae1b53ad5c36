import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { once } from "node:events";
import { randomUUID, createHash, timingSafeEqual } from "node:crypto";
import { HttpRequest, InvocationContext } from "@azure/functions";
import { triggerOf, type Registration } from "./registry";
import type { Reply } from "./client-api";

/** A request as the front hands it to the Durable API behind it. */
export interface FrontRequest {
  readonly method: string;
  readonly url: URL;
  readonly body: string;
  readonly headers: IncomingHttpHeaders;
}

export interface FrontOptions {
  readonly functions: ReadonlyMap<string, Registration>;
  /** Key for `function`/`admin` auth level HTTP triggers. */
  readonly functionKey: string;
  /** Key for `/runtime/webhooks/durabletask/*` (Azure: the extension's system key). */
  readonly webhookKey: string;
  readonly port?: number;
  readonly log: (line: string) => void;
  /** What a durableClient input binding receives, given the front's base URL. */
  readonly bindingData: () => unknown;
  /** Key for `/runtime/webhooks/eventgrid` (Azure: the `eventgrid_extension` system key). */
  readonly eventGridKey: string;
  /** `/runtime/webhooks/durabletask/*`, after the key check. */
  readonly webhook: (r: FrontRequest) => Promise<Reply>;
  /** Largest request body read (default: the Functions host's 100 MB); larger is 413, read no further. */
  readonly maxRequestBodyBytes?: number;
}

/** Azure Functions' own limit on an HTTP request's length. */
export const MAX_REQUEST_BODY_BYTES = 100 * 1024 * 1024;

/**
 * A request body as text, read while counting: undefined once it passes `max` bytes (the rest
 * is not read), null when the client goes away first.
 */
export function readBody(req: IncomingMessage, max: number): Promise<string | undefined | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    let settled = false;
    const done = (v: string | undefined | null) => {
      if (settled) return;
      settled = true;
      resolve(v);
    };
    req.on("data", (c: Buffer) => {
      if (settled) return;
      bytes += c.length;
      if (bytes > max) {
        chunks.length = 0;
        req.pause();
        return done(undefined);
      }
      chunks.push(c);
    });
    req.once("end", () => done(Buffer.concat(chunks).toString("utf8")));
    req.once("aborted", () => done(null));
    req.once("error", () => done(null));
    req.once("close", () => done(req.complete ? Buffer.concat(chunks).toString("utf8") : null));
  });
}

export interface Front {
  readonly url: string;
  /** Invokes a timer trigger as its schedule would, with `nowIso` as the schedule's time. */
  tick(functionName: string, nowIso: string): Promise<void>;
  close(): Promise<void>;
}

export const RPC_PATH = "/_durable/";
export const WEBHOOK_PATH = "/runtime/webhooks/durabletask/";
export const EVENT_GRID_PATH = "/runtime/webhooks/eventgrid";

export function keyMatches(presented: string | null, key: string): boolean {
  if (!presented) return false;
  const d = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(d(presented), d(key));
}

/**
 * What the Functions host puts in front of the app, whichever engine runs its orchestrations:
 * HTTP triggers with their auth levels, timer triggers on demand, and the Durable webhooks behind
 * a key. The app's handlers run here, in this process, as the Node worker runs them.
 */
export async function startFront(o: FrontOptions): Promise<Front> {
  const server: Server = createServer((req, res) => {
    serve(req, res).catch((e: unknown) => {
      // Nothing a request does may take the process down: answer if still possible, else drop it.
      o.log(`host error on ${req.method ?? "?"} ${(req.url ?? "").slice(0, 200)}: ${(e as Error).stack ?? String(e)}`);
      if (!res.headersSent) res.writeHead(500, { "Content-Type": "application/json; charset=utf-8" }).end(JSON.stringify({ error: "The host failed on this request; see its log." }));
      else res.destroy();
    });
  });
  // A request line or headers Node cannot parse: answer 400 and close, as a server should.
  server.on("clientError", (_e, socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
    else socket.destroy();
  });

  const send = (res: ServerResponse, reply: Reply) => {
    const headers: Record<string, string> = { ...reply.headers };
    let text: string | Uint8Array | undefined;
    if (typeof reply.body === "string" || reply.body instanceof Uint8Array) text = reply.body;
    else if (reply.body !== undefined) {
      text = JSON.stringify(reply.body);
      headers["Content-Type"] ??= "application/json; charset=utf-8";
    }
    res.writeHead(reply.status, headers).end(text);
  };

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? "/", "http://127.0.0.1");
    } catch {
      req.resume();
      return send(res, { status: 400, body: { error: "The request URL is not valid." } });
    }
    const method = req.method ?? "GET";
    // Who may call what is decided before a byte of the body is read.
    const target = resolveTarget(method, url, req.headers);
    if ("status" in target) {
      req.resume();
      return send(res, target);
    }
    const body = await readBody(req, o.maxRequestBodyBytes ?? MAX_REQUEST_BODY_BYTES);
    if (body === undefined) {
      send(res, { status: 413, body: { error: `The request body is larger than ${o.maxRequestBodyBytes ?? MAX_REQUEST_BODY_BYTES} bytes.` } });
      req.destroy();
      return;
    }
    if (body === null) return; // the client went away mid-body: nobody to answer
    const request: FrontRequest = { method, url, body, headers: req.headers };
    let reply: Reply;
    try {
      reply = await target.run(request);
    } catch (e) {
      o.log(`host error on ${method} ${url.pathname}: ${(e as Error).stack ?? String(e)}`);
      reply = { status: 500, body: { error: "The function failed; see the host log." } };
    }
    if (!res.destroyed) send(res, reply);
  }

  /** Where a request goes, after its key is checked; or the answer when it goes nowhere. */
  function resolveTarget(method: string, url: URL, headers: IncomingHttpHeaders): { run: (r: FrontRequest) => Promise<Reply> } | Reply {
    const key = url.searchParams.get("code") ?? (headers["x-functions-key"] as string | undefined) ?? null;
    if (url.pathname.startsWith(WEBHOOK_PATH)) {
      if (!keyMatches(key, o.webhookKey)) return { status: 401, body: { error: "A valid key is required (code= or x-functions-key)." } };
      return { run: o.webhook };
    }
    if (url.pathname.toLowerCase() === EVENT_GRID_PATH) {
      if (!keyMatches(key, o.eventGridKey)) return { status: 401, body: { error: "A valid key is required (code= or x-functions-key)." } };
      const name = url.searchParams.get("functionName") ?? "";
      const reg = o.functions.get(name);
      if (method !== "POST" || !reg || triggerOf(reg).type !== "eventGridTrigger") return { status: 404, body: `cannot find function: '${name.slice(0, 100)}'` };
      return { run: (r) => deliverEventGrid(reg, r, (ev) => reg.handler(ev, context(reg)), o.log) };
    }
    for (const reg of o.functions.values()) {
      const t = triggerOf(reg);
      if (t.type !== "httpTrigger") continue;
      let params: Record<string, string> | undefined;
      try {
        params = matchRoute(typeof t.route === "string" ? t.route : reg.name, url.pathname);
      } catch {
        return { status: 400, body: { error: "The request path has a malformed percent-encoding." } };
      }
      if (!params) continue;
      const methods = (t.methods as string[] | undefined) ?? ["GET", "POST"];
      if (!methods.map((m) => m.toUpperCase()).includes(method)) continue;
      if (t.authLevel !== "anonymous" && !keyMatches(key, o.functionKey)) {
        return { status: 401, body: { error: "This function needs a key: pass ?code=KEY or the x-functions-key header." } };
      }
      const found = params;
      return { run: (r) => invokeHttp(reg, r, found) };
    }
    return { status: 404, body: { error: `No function at ${method} ${url.pathname.slice(0, 200)}.` } };
  }

  function context(reg: Registration): InvocationContext {
    return invocationContext(reg, o.log, o.bindingData);
  }

  async function invokeHttp(reg: Registration, r: FrontRequest, params: Record<string, string>): Promise<Reply> {
    const flat: Record<string, string> = {};
    for (const [k, v] of Object.entries(r.headers)) if (v !== undefined) flat[k] = Array.isArray(v) ? v.join(", ") : v;
    const request = new HttpRequest({
      method: r.method, url: new URL(r.url.pathname + r.url.search, url).toString(), headers: flat, params, query: Object.fromEntries(r.url.searchParams),
      ...(r.method === "GET" || r.method === "HEAD" ? {} : { body: { string: r.body } }),
    });
    const result = (await reg.handler(request, context(reg))) as
      | { status?: number; jsonBody?: unknown; body?: unknown; headers?: unknown; text?: () => Promise<string> }
      | undefined;
    if (!result) return { status: 204 };
    const outHeaders: Record<string, string> = {};
    const h = result.headers as Headers | Record<string, string> | undefined;
    if (h && typeof (h as Headers).forEach === "function") (h as Headers).forEach((v, k) => (outHeaders[k] = v));
    else if (h) Object.assign(outHeaders, h);
    if (typeof result.text === "function") return { status: result.status ?? 200, body: await result.text(), headers: outHeaders };
    if (result.jsonBody !== undefined) return { status: result.status ?? 200, body: result.jsonBody, headers: outHeaders };
    // Bytes go out as bytes (a gzipped page), as the worker hands a Uint8Array body to the host.
    if (result.body instanceof Uint8Array) return { status: result.status ?? 200, body: Buffer.from(result.body.buffer, result.body.byteOffset, result.body.byteLength), headers: outHeaders };
    return { status: result.status ?? 200, body: typeof result.body === "string" ? result.body : result.body === undefined ? undefined : JSON.stringify(result.body), headers: outHeaders };
  }

  server.listen(o.port ?? 0, "127.0.0.1");
  await once(server, "listening");
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    async tick(functionName, nowIso) {
      const reg = o.functions.get(functionName);
      if (!reg || triggerOf(reg).type !== "timerTrigger") throw new Error(`No timer function named ${functionName}.`);
      await reg.handler({ isPastDue: false, schedule: { adjustForDST: false }, scheduleStatus: { last: nowIso, next: nowIso, lastUpdated: nowIso } }, context(reg));
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Event Grid's delivery to an Event Grid trigger, as the extension's webhook handles it
 * (Microsoft.Azure.WebJobs.Extensions.EventGrid, HttpRequestProcessor and
 * EventGridExtensionConfigProvider): by the `aeg-event-type` header, the subscription's validation
 * handshake answered with its code; a notification's events (an array, or one object) each
 * invoked, all at once, 202 when all succeed and 500 naming the function (the host's
 * "Exception while executing function: Functions.{name}", never the function's own error text)
 * when one does not (so Event Grid delivers the batch again); Unsubscribe 202; anything else 400. A body that is not
 * what the header says is a 400 that names what is wrong (the extension would throw: a 500).
 */
export async function deliverEventGrid(reg: Registration, r: FrontRequest, invoke: (event: unknown) => unknown, log: (l: string) => void): Promise<Reply> {
  const kind = String(r.headers["aeg-event-type"] ?? "").toLowerCase();
  if (kind === "unsubscribe") return { status: 202 };
  if (kind !== "subscriptionvalidation" && kind !== "notification") return { status: 400, body: { error: 'The aeg-event-type header must be "SubscriptionValidation", "Notification" or "Unsubscribe".' } };
  let parsed: unknown;
  try {
    parsed = JSON.parse(r.body);
  } catch {
    return { status: 400, body: { error: "The request body is not JSON." } };
  }
  if (kind === "subscriptionvalidation") {
    const code = (Array.isArray(parsed) ? (parsed[0] as { data?: { validationCode?: unknown } } | undefined)?.data?.validationCode : undefined);
    if (typeof code !== "string") return { status: 400, body: { error: "A validation event is an array whose first event has data.validationCode." } };
    log(`perform handshake with eventGrid for function: ${reg.name}`);
    return { status: 200, body: { validationResponse: code } };
  }
  const events = Array.isArray(parsed) ? parsed : [parsed];
  if (events.length === 0 || events.some((e) => typeof e !== "object" || e === null || Array.isArray(e))) return { status: 400, body: { error: "The request content should be a JSON object or an array of them." } };
  const results = await Promise.allSettled(events.map((e) => Promise.resolve().then(() => invoke(e))));
  const failed = results.find((x): x is PromiseRejectedResult => x.status === "rejected");
  if (failed) {
    const message = (failed.reason as Error)?.message ?? String(failed.reason);
    log(`[${reg.name}] Error: ${message}`);
    // The extension answers with the failed invocation's exception message, and the host's
    // FunctionInvocationException wraps whatever the function threw in this one: no text of the
    // function's (storage's, a stack) reaches Event Grid.
    return { status: 500, body: `Exception while executing function: Functions.${reg.name}` };
  }
  return { status: 202 };
}

/** A fresh invocation context, with every durableClient input bound as the extension would. */
export function invocationContext(reg: Registration, log: (line: string) => void, bindingData?: () => unknown): InvocationContext {
  const extraInputs = Object.entries(reg.bindings)
    .filter(([, b]) => b.type === "durableClient")
    .map(([name, b]) => ({ ...b, name }));
  const ctx = new InvocationContext({
    invocationId: randomUUID(), functionName: reg.name,
    options: { trigger: triggerOf(reg), extraInputs },
    logHandler: (level, ...args) => log(`[${reg.name}] ${level}: ${args.map(String).join(" ")}`),
  });
  if (bindingData) for (const input of extraInputs) ctx.extraInputs.set(input.name, bindingData());
  return ctx;
}

/** Matches `/api/{route}` with `{name}` and `{name?}` segments; returns the parameters. */
export function matchRoute(route: string, pathname: string): Record<string, string> | undefined {
  const names: string[] = [];
  const pattern = route.replace(/^\/+/, "").split("/").map((seg) => {
    const m = /^\{([A-Za-z0-9_]+)(\?)?(?::[^}]*)?\}$/.exec(seg);
    if (!m) return `/${seg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`;
    names.push(m[1]!);
    return m[2] ? "(?:/([^/]+))?" : "/([^/]+)";
  }).join("");
  const r = new RegExp(`^/api${pattern}/?$`, "i").exec(pathname);
  if (!r) return undefined;
  const params: Record<string, string> = {};
  names.forEach((n, i) => {
    if (r[i + 1] !== undefined) params[n] = decodeURIComponent(r[i + 1]!);
  });
  return params;
}
