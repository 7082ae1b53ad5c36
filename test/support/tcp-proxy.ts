import { connect, createServer, type Socket } from "node:net";
import { once } from "node:events";

/** A loopback TCP proxy that can play an outage of the service behind it. */
export interface TcpProxy {
  readonly port: number;
  /** Connections reset on arrival while down. */
  readonly refused: number;
  /** Open connections cut by `down()`. */
  readonly cut: number;
  /** Cuts every open connection and resets new ones until `up()`. */
  down(): void;
  up(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const open = new Set<{ client: Socket; upstream: Socket }>();
  let isDown = false;
  let refused = 0;
  let cut = 0;
  const server = createServer((client) => {
    // A reset, not a close: the client sees ECONNRESET, as from a host with nothing listening.
    if (isDown) {
      refused++;
      client.resetAndDestroy();
      return;
    }
    const upstream = connect(target.port, target.host);
    const pair = { client, upstream };
    open.add(pair);
    const end = () => {
      open.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    for (const s of [client, upstream]) s.on("error", end).on("close", end);
    client.pipe(upstream).pipe(client);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("The proxy has no TCP address.");
  const cutAll = () => {
    for (const pair of [...open]) {
      open.delete(pair);
      pair.client.resetAndDestroy();
      pair.upstream.destroy();
      cut++;
    }
  };
  return {
    port: address.port,
    get refused() {
      return refused;
    },
    get cut() {
      return cut;
    },
    down() {
      isDown = true;
      cutAll();
    },
    up() {
      isDown = false;
    },
    async close() {
      cutAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A storage account behind proxies: the same account, reached through ports that can go down. */
export interface StorageProxy {
  /** The account's connection string with every endpoint pointing at its proxy. */
  readonly connectionString: string;
  readonly refused: number;
  readonly cut: number;
  down(): void;
  up(): void;
  close(): Promise<void>;
}

/** Puts a proxy in front of each endpoint (Blob, Queue, Table) of an Azurite-style connection string. */
export async function proxyStorage(connectionString: string): Promise<StorageProxy> {
  const proxies: TcpProxy[] = [];
  const parts: string[] = [];
  for (const part of connectionString.split(";").filter((p) => p !== "")) {
    const m = /^(BlobEndpoint|QueueEndpoint|TableEndpoint)=(.+)$/.exec(part);
    if (!m) {
      parts.push(part);
      continue;
    }
    const url = new URL(m[2]!);
    const proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port) });
    proxies.push(proxy);
    url.host = `127.0.0.1:${proxy.port}`;
    parts.push(`${m[1]}=${url.toString().replace(/\/$/, "")}`);
  }
  if (proxies.length === 0) throw new Error("The connection string names no endpoints to put a proxy in front of.");
  const sum = (f: (p: TcpProxy) => number) => proxies.reduce((n, p) => n + f(p), 0);
  return {
    connectionString: `${parts.join(";")};`,
    get refused() {
      return sum((p) => p.refused);
    },
    get cut() {
      return sum((p) => p.cut);
    },
    down: () => proxies.forEach((p) => p.down()),
    up: () => proxies.forEach((p) => p.up()),
    close: async () => {
      await Promise.all(proxies.map((p) => p.close()));
    },
  };
}
