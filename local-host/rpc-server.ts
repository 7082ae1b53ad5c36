import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { once } from "node:events";
import { MAX_REQUEST_BODY_BYTES, readBody, type FrontRequest } from "./front";
import type { Reply } from "./client-api";

export interface RpcServer {
  /** What the app's durable client is given as `rpcBaseUrl`. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * The durable client's RPC API on a port of its own, on loopback, as the real extension serves it
 * (its LocalHttpListener on 127.0.0.1): keyless, for the app's own client only, never on the
 * port callers use. Refused: a request from a browser page (it carries an Origin) and one whose
 * Host is not this listener (a DNS-rebinding page names its own host).
 */
export async function startRpcServer(handle: (r: FrontRequest) => Promise<Reply>, log: (line: string) => void): Promise<RpcServer> {
  let host = "";
  const server: Server = createServer((req, res) => {
    const reply = (r: Reply) => {
      if (res.destroyed) return;
      res.writeHead(r.status, { "Content-Type": "application/json; charset=utf-8", ...r.headers }).end(r.body === undefined ? undefined : typeof r.body === "string" ? r.body : JSON.stringify(r.body));
    };
    void (async () => {
      if (req.headers.origin !== undefined || req.headers.host !== host) {
        req.resume();
        return reply({ status: 403, body: { error: "This is the durable client's loopback API; it takes no requests from browsers or other hosts." } });
      }
      let url: URL;
      try {
        url = new URL(req.url ?? "/", `http://${host}`);
      } catch {
        req.resume();
        return reply({ status: 400, body: { error: "The request URL is not valid." } });
      }
      const body = await readBody(req, MAX_REQUEST_BODY_BYTES);
      if (body === undefined) {
        reply({ status: 413, body: { error: "The request body is too large." } });
        req.destroy();
        return;
      }
      if (body === null) return;
      reply(await handle({ method: req.method ?? "GET", url, body, headers: req.headers }));
    })().catch((e: unknown) => {
      log(`durable RPC error on ${req.method ?? "?"} ${(req.url ?? "").slice(0, 200)}: ${(e as Error).stack ?? String(e)}`);
      if (!res.headersSent) reply({ status: 500, body: { error: "The durable API failed; see the host log." } });
      else res.destroy();
    });
  });
  server.on("clientError", (_e, socket) => socket.destroy());
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `http://${host}/_durable/`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
