import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { once } from "node:events";
import { Router, send, type Request } from "./router";
import { AmlHttpError, throttled } from "./errors";
import { readBody, parseJson } from "./body";
import type { Faults, Operation } from "../classic/faults";

export interface ServerOptions {
  readonly host: string;
  readonly port: number;
  readonly maxRequestBodyBytes: number;
  readonly faults: Faults;
  /** Which counted operation a request is, if any (fault injection applies to those). */
  readonly operationOf: (method: string, pathname: string) => Operation | undefined;
  readonly log: (line: string) => void;
}

/** An HTTP server over a route table; it answers every failure with the service's error shape. */
export async function listen(router: Router, o: ServerOptions): Promise<{ server: Server; url: string }> {
  const server = createServer((raw, res) => {
    void (async () => {
      let url: URL;
      try {
        url = new URL(raw.url ?? "/", "http://localhost");
      } catch {
        raw.resume();
        send(res, { status: 400, body: new AmlHttpError(400, "BadArgument", "The request URL is not valid.").toBody() });
        return;
      }
      let body: Promise<unknown> | undefined;
      let op: Operation | undefined;
      let resetHere = false; // an injected reset is the service's doing, not a client giving up
      const json = () => (body ??= readBody(raw, o.maxRequestBodyBytes).then(parseJson));
      try {
        op = o.operationOf(raw.method ?? "GET", url.pathname);
        if (op) {
          o.faults.inFlight++;
          const counted = op;
          res.once("close", () => {
            if (!res.writableFinished && !resetHere) o.faults.abandoned[counted]++;
          });
          const fault = o.faults.onCall(op);
          if (fault.latencyMs > 0) {
            // The call has arrived, only its answer is slow: read the body now, so the call still
            // takes effect if the client gives up meanwhile (Node drops an unread body when the socket closes).
            json().then(() => o.faults.received[counted]++, () => undefined);
            await new Promise((r) => setTimeout(r, fault.latencyMs));
          }
          if (fault.reset) {
            resetHere = true;
            raw.socket.resetAndDestroy();
            return;
          }
          if (fault.throttleSeconds !== undefined) throw throttled(fault.throttleSeconds);
        }
        const { handler, params } = router.match(raw.method ?? "GET", url.pathname);
        const req: Request = { method: raw.method ?? "GET", url, params, headers: raw.headers, raw, json };
        send(res, await handler(req));
      } catch (e) {
        const err = e instanceof AmlHttpError ? e : new AmlHttpError(500, "InternalError", "The service hit an internal error.");
        if (!(e instanceof AmlHttpError)) o.log(`internal error on ${raw.method} ${url.pathname}: ${(e as Error).stack ?? String(e)}`);
        if (!res.headersSent) send(res, { status: err.status, body: err.toBody(), headers: err.headers });
      } finally {
        if (op) o.faults.inFlight--;
      }
    })().catch((e: unknown) => {
      o.log(`internal error: ${(e as Error).stack ?? String(e)}`);
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });
  // A request line or headers Node cannot parse: 400 and close, never a crash.
  server.on("clientError", (_e, socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
    else socket.destroy();
  });
  server.listen(o.port, o.host);
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://${o.host}:${port}` };
}
