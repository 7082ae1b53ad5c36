import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { once } from "node:events";
import { Router, send, type Request } from "./router";
import { AmlHttpError, throttled } from "./errors";
import { readBody, parseJson } from "./body";
import type { Faults, Operation } from "../faults";

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
      const url = new URL(raw.url ?? "/", "http://localhost");
      try {
        const op = o.operationOf(raw.method ?? "GET", url.pathname);
        if (op) {
          const fault = o.faults.onCall(op);
          if (fault.latencyMs > 0) await new Promise((r) => setTimeout(r, fault.latencyMs));
          if (fault.reset) {
            raw.socket.resetAndDestroy();
            return;
          }
          if (fault.throttleSeconds !== undefined) throw throttled(fault.throttleSeconds);
        }
        const { handler, params } = router.match(raw.method ?? "GET", url.pathname);
        let body: Promise<unknown> | undefined;
        const req: Request = {
          method: raw.method ?? "GET",
          url,
          params,
          headers: raw.headers,
          raw,
          json: () => (body ??= readBody(raw, o.maxRequestBodyBytes).then(parseJson)),
        };
        send(res, await handler(req));
      } catch (e) {
        const err = e instanceof AmlHttpError ? e : new AmlHttpError(500, "InternalError", "The service hit an internal error.");
        if (!(e instanceof AmlHttpError)) o.log(`internal error on ${raw.method} ${url.pathname}: ${(e as Error).stack ?? String(e)}`);
        if (!res.headersSent) send(res, { status: err.status, body: err.toBody(), headers: err.headers });
      }
    })();
  });
  server.listen(o.port, o.host);
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://${o.host}:${port}` };
}
