import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { once } from "node:events";
import { randomUUID, createHash, timingSafeEqual } from "node:crypto";
import path from "node:path";
import { existsSync, readFileSync } from "node:fs";
import { HttpRequest, InvocationContext } from "@azure/functions";
import { installCoreStandIn, registrations, triggerOf, type Registration } from "./registry";
import { DurableEngine, type EngineObserver } from "./durable/engine";
import { InstanceStore, type StateStore } from "./durable/store";
import { ScaledClock, type Clock } from "./durable/clock";
import { clientBindingData, handleDurableApi, RPC_PATH, WEBHOOK_PATH, type Reply } from "./client-api";
import { resolveSetting } from "./settings";
import { parseNcrontab } from "./ncrontab";

export interface LocalHostOptions {
  /** App settings (local.settings.json `Values`); applied to process.env before the app loads. */
  readonly values: Readonly<Record<string, string>>;
  /** Key for `function`/`admin` auth level HTTP triggers and the durable webhooks. */
  readonly functionKey: string;
  readonly port?: number;
  /** The compiled app's entry point (package.json `main`). */
  readonly appPath?: string;
  readonly hubName?: string;
  readonly clock?: Clock;
  /** Fire timer triggers on their schedules (off in tests that tick them by hand). */
  readonly schedules?: boolean;
  readonly log?: (line: string) => void;
  /** Where the Durable state lives; by default one blob per instance in AzureWebJobsStorage. */
  readonly store?: StateStore;
  readonly observer?: EngineObserver;
}

export interface RunningHost {
  readonly url: string;
  readonly engine: DurableEngine;
  readonly functions: ReadonlyMap<string, Registration>;
  /** Invokes a timer trigger now, as its schedule would. */
  tick(functionName: string): Promise<void>;
  stop(): Promise<void>;
}

/** The app's entry point as the worker finds it: package.json `main`, from the project root. */
function appEntry(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, "package.json"))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error("Cannot find the project's package.json.");
    dir = up;
  }
  const main = (JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as { main?: string }).main;
  if (!main) throw new Error("package.json has no main: the Functions worker loads the app from it.");
  return path.join(dir, main);
}

function keyMatches(presented: string | null, key: string): boolean {
  if (!presented) return false;
  const d = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(d(presented), d(key));
}

/**
 * Runs the compiled Functions app as the Functions host would: captures its registrations,
 * serves its HTTP triggers, fires its timers, and runs its orchestrations and activities through
 * a replaying Durable engine whose state lives in Azurite.
 */
export async function startLocalHost(o: LocalHostOptions): Promise<RunningHost> {
  const log = o.log ?? ((l: string) => console.log(l));
  for (const [k, v] of Object.entries(o.values)) process.env[k] = v;
  installCoreStandIn();
  // The worker loads the app with require() too; registrations happen as a side effect.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(o.appPath ?? appEntry());
  const functions = registrations();
  const hubName = o.hubName ?? taskHubName(o.values);
  const storage = o.values.AzureWebJobsStorage;
  if (!storage) throw new Error("AzureWebJobsStorage is not set: the Durable engine keeps its state there.");
  const clock = o.clock ?? new ScaledClock(1);
  const engine = new DurableEngine({ store: o.store ?? InstanceStore.forHub(storage, hubName), clock, functions, log, ...(o.observer ? { observer: o.observer } : {}) });

  let baseUrl = "";
  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? "/", baseUrl || "http://127.0.0.1");
      const chunks: Buffer[] = [];
      for await (const c of req as AsyncIterable<Buffer>) chunks.push(c);
      const body = Buffer.concat(chunks).toString("utf8");
      let reply: Reply;
      try {
        reply = await route(req.method ?? "GET", url, body, req.headers);
      } catch (e) {
        log(`host error on ${req.method} ${url.pathname}: ${(e as Error).stack ?? String(e)}`);
        reply = { status: 500, body: { error: "The function failed; see the host log." } };
      }
      const headers: Record<string, string> = { ...reply.headers };
      let text: string | undefined;
      if (typeof reply.body === "string") text = reply.body;
      else if (reply.body !== undefined) {
        text = JSON.stringify(reply.body);
        headers["Content-Type"] ??= "application/json; charset=utf-8";
      }
      res.writeHead(reply.status, headers).end(text);
    })();
  });

  const bindingData = () => clientBindingData(baseUrl, hubName, o.functionKey);

  async function route(method: string, url: URL, body: string, headers: NodeJS.Dict<string | string[]>): Promise<Reply> {
    const key = url.searchParams.get("code") ?? (headers["x-functions-key"] as string | undefined) ?? null;
    if (url.pathname.startsWith(RPC_PATH)) {
      // The durable client's RPC API is for functions in this process: loopback only, no key, as in Azure.
      return handleDurableApi(engine, { method } as never, url, body, false, (id) => managementUrls(id));
    }
    if (url.pathname.startsWith(WEBHOOK_PATH)) {
      if (!keyMatches(key, o.functionKey)) return { status: 401, body: { error: "A valid key is required (code= or x-functions-key)." } };
      return handleDurableApi(engine, { method } as never, url, body, true, (id) => managementUrls(id));
    }
    for (const reg of functions.values()) {
      const t = triggerOf(reg);
      if (t.type !== "httpTrigger") continue;
      const params = matchRoute(typeof t.route === "string" ? t.route : reg.name, url.pathname);
      if (!params) continue;
      const methods = (t.methods as string[] | undefined) ?? ["GET", "POST"];
      if (!methods.map((m) => m.toUpperCase()).includes(method)) continue;
      if (t.authLevel !== "anonymous" && !keyMatches(key, o.functionKey)) {
        return { status: 401, body: { error: "This function needs a key: pass ?code=KEY or the x-functions-key header." } };
      }
      return invokeHttp(reg, method, url, body, headers, params);
    }
    return { status: 404, body: { error: `No function at ${method} ${url.pathname}.` } };
  }

  function managementUrls(id: string) {
    const m = bindingData().managementUrls as Record<string, string>;
    return Object.fromEntries(Object.entries(m).filter(([k]) => k !== "id").map(([k, v]) => [k, v.replace("INSTANCEID", encodeURIComponent(id))]));
  }

  function context(reg: Registration): InvocationContext {
    const extraInputs = Object.entries(reg.bindings)
      .filter(([, b]) => b.type === "durableClient")
      .map(([name, b]) => ({ ...b, name }));
    const ctx = new InvocationContext({
      invocationId: randomUUID(), functionName: reg.name,
      options: { trigger: triggerOf(reg), extraInputs: extraInputs },
      logHandler: (level, ...args) => log(`[${reg.name}] ${level}: ${args.map(String).join(" ")}`),
    });
    for (const input of extraInputs) ctx.extraInputs.set(input.name, bindingData());
    return ctx;
  }

  async function invokeHttp(reg: Registration, method: string, url: URL, body: string, headers: NodeJS.Dict<string | string[]>, params: Record<string, string>): Promise<Reply> {
    const flat: Record<string, string> = {};
    for (const [k, v] of Object.entries(headers)) if (v !== undefined) flat[k] = Array.isArray(v) ? v.join(", ") : v;
    const request = new HttpRequest({
      method, url: url.toString(), headers: flat, params, query: Object.fromEntries(url.searchParams),
      ...(method === "GET" || method === "HEAD" ? {} : { body: { string: body } }),
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
    return { status: result.status ?? 200, body: typeof result.body === "string" ? result.body : result.body === undefined ? undefined : JSON.stringify(result.body), headers: outHeaders };
  }

  async function tick(functionName: string): Promise<void> {
    const reg = functions.get(functionName);
    if (!reg || triggerOf(reg).type !== "timerTrigger") throw new Error(`No timer function named ${functionName}.`);
    const now = new Date(clock.now()).toISOString();
    await reg.handler({ isPastDue: false, schedule: { adjustForDST: false }, scheduleStatus: { last: now, next: now, lastUpdated: now } }, context(reg));
  }

  const cancels: (() => void)[] = [];
  function armSchedules(): void {
    for (const reg of functions.values()) {
      const t = triggerOf(reg);
      if (t.type !== "timerTrigger") continue;
      const schedule = parseNcrontab(resolveSetting(String(t.schedule), process.env));
      const arm = () => {
        const next = schedule.next(new Date(clock.now()));
        log(`timer ${reg.name}: next run at ${next.toISOString()}`);
        cancels.push(clock.at(next.getTime(), () => {
          tick(reg.name).catch((e: Error) => log(`timer ${reg.name} failed: ${e.message}`)).finally(arm);
        }));
      };
      arm();
    }
  }

  server.listen(o.port ?? 0, "127.0.0.1");
  await once(server, "listening");
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // Keeps the durable library from rewriting status URLs to localhost:7071.
  process.env.WEBSITE_HOSTNAME = baseUrl.slice("http://".length);
  try {
    await engine.start();
  } catch (e) {
    // Storage stayed unreachable: fail the start without leaving the port open.
    server.close();
    throw e;
  }
  if (o.schedules ?? true) armSchedules();
  return {
    url: baseUrl,
    engine,
    functions,
    tick,
    stop: async () => {
      for (const c of cancels) c();
      await engine.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
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

/** The app setting that overrides host.json's task hub, as in Azure (`__` for each level). */
export const HUB_NAME_SETTING = "AzureFunctionsJobHost__extensions__durableTask__hubName";

/**
 * The task hub, as the Functions host picks it: the app setting override, else host.json's
 * `extensions.durableTask.hubName`. Two hosts on one storage account share state only when they
 * share a hub; a name the extension would refuse is refused here too.
 */
export function taskHubName(values: Readonly<Record<string, string>>, hostJson = projectHostJson()): string {
  let name = values[HUB_NAME_SETTING];
  if (name === undefined) {
    const json = JSON.parse(readFileSync(hostJson, "utf8")) as { extensions?: { durableTask?: { hubName?: string } } };
    name = json.extensions?.durableTask?.hubName ?? "TestHubName";
  }
  if (!/^[A-Za-z][A-Za-z0-9]{2,44}$/.test(name)) {
    throw new Error(`Task hub name "${name}" is invalid: 3 to 45 letters and digits, starting with a letter (${values[HUB_NAME_SETTING] !== undefined ? HUB_NAME_SETTING : "host.json extensions.durableTask.hubName"}).`);
  }
  return name;
}

/** The project's host.json: above local-host/ when run from source, above dist/local-host/ when built. */
function projectHostJson(): string {
  const near = path.resolve(__dirname, "..", "host.json");
  return existsSync(near) ? near : path.resolve(__dirname, "..", "..", "host.json");
}
