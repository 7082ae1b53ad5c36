import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { once } from "node:events";
import { keyMatches, invocationContext } from "../local-host/front";
import { triggerOf, type Registration } from "../local-host/registry";

/** RPC typed data as the Node worker sends a function's result to the host. */
export type TypedData =
  | { readonly type: "none" }
  | { readonly type: "string"; readonly value: string }
  | { readonly type: "int" | "double"; readonly value: number }
  | { readonly type: "json"; readonly value: string };

/** The Node library's `toRpcTypedData`: strings stay strings, numbers split by kind, the rest is JSON. */
export function toTypedData(v: unknown): TypedData {
  if (v === undefined || v === null) return { type: "none" };
  if (typeof v === "string") return { type: "string", value: v };
  if (typeof v === "number") return Number.isInteger(v) ? { type: "int", value: v } : { type: "double", value: v };
  return { type: "json", value: JSON.stringify(v) };
}

/** The worker's `fromRpcTypedData` for a string trigger: text that parses as JSON arrives parsed. */
export function fromTriggerString(s: string): unknown {
  try {
    return JSON.parse(s) as unknown;
  } catch {
    return s;
  }
}

export interface WorkerServer {
  readonly url: string;
  close(): Promise<void>;
}

const MAX_PAYLOAD_BYTES = 64 * 1024 * 1024;
/** The kind of invocation the .NET host asks for, per trigger type the app registers. */
export const INVOCATION_KIND: Readonly<Record<string, string>> = { orchestrationTrigger: "orchestration", activityTrigger: "activity", entityTrigger: "entity" };

/**
 * The Node side of the real-engine bridge: the .NET host's function stubs POST each trigger here
 * and the app's real handler runs in this process, as the Node worker runs it on the Functions
 * host. Loopback, and only for the host that holds the token.
 */
export async function startWorkerServer(o: { functions: ReadonlyMap<string, Registration>; token: string; log: (l: string) => void; bindingData: () => unknown }): Promise<WorkerServer> {
  const server: Server = createServer((req, res) => {
    void (async () => {
      const reply = (status: number, body: unknown) => res.writeHead(status, { "Content-Type": "application/json" }).end(JSON.stringify(body));
      const auth = req.headers.authorization ?? "";
      if (!keyMatches(auth.startsWith("Bearer ") ? auth.slice(7) : null, o.token)) return reply(401, { error: "token required" });
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const m = /^\/invoke\/([^/]+)$/.exec(url.pathname);
      const reg = m ? o.functions.get(decodeURIComponent(m[1]!)) : undefined;
      if (req.method !== "POST" || !reg || INVOCATION_KIND[triggerOf(reg).type] !== url.searchParams.get("kind")) return reply(404, { error: `no ${url.searchParams.get("kind")} function at ${url.pathname}` });
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const c of req as AsyncIterable<Buffer>) {
        size += c.length;
        if (size > MAX_PAYLOAD_BYTES) return reply(413, { error: "payload too large" });
        chunks.push(c);
      }
      const { payload } = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { payload: string };
      try {
        const result = await reg.handler(fromTriggerString(payload), invocationContext(reg, o.log, o.bindingData));
        reply(200, { ok: true, ...toTypedData(result) });
      } catch (e) {
        const err = e instanceof Error ? e : new Error(String(e));
        reply(200, { ok: false, message: err.message, stack: err.stack ?? "" });
      }
    })().catch((e: Error) => {
      o.log(`engine worker error: ${e.message}`);
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
