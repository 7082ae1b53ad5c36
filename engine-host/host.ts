import { randomBytes } from "node:crypto";
import path from "node:path";
import { triggerOf, type Registration } from "../local-host/registry";
import { startFront, type Front, type FrontRequest } from "../local-host/front";
import type { Reply } from "../local-host/client-api";
import { loadApp, projectRoot, taskHubName } from "../local-host/host";
import { INVOCATION_KIND, startWorkerServer, type WorkerServer } from "./worker";
import { startDotnetHost, type DotnetHost } from "./dotnet-host";

export interface EngineHostOptions {
  /** App settings; applied to this process (the worker) and to the .NET host's environment. */
  readonly values: Readonly<Record<string, string>>;
  readonly functionKey: string;
  readonly hubName?: string;
  readonly port?: number;
  readonly appPath?: string;
  readonly log?: (line: string) => void;
}

export interface RunningEngineHost {
  readonly url: string;
  readonly functions: ReadonlyMap<string, Registration>;
  /** The extension's `durabletask_extension` system key: the webhooks need it, as in Azure. */
  readonly systemKey: string;
  readonly hubName: string;
  /** The Event Grid webhook's key, as Azure's `eventgrid_extension` system key. */
  readonly eventGridKey: string;
  readonly worker: WorkerServer;
  /** Invokes a timer trigger now, as its schedule would. */
  tick(functionName: string): Promise<void>;
  /** SIGKILLs the real host process, as a crash of the Functions host would. */
  kill(): Promise<void>;
  /** Starts the real host process again over the same task hub. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The app on the engine Azure runs: the real Durable Task extension in a .NET WebJobs host
 * (engine-host/src), whose function stubs call the app's real handlers in this process, behind
 * the same front as the local host (HTTP triggers, timers, the Durable webhooks with a key).
 */
export async function startEngineHost(o: EngineHostOptions): Promise<RunningEngineHost> {
  const log = o.log ?? ((l: string) => console.log(l));
  const functions = loadApp(o.values, o.appPath);
  const hubName = o.hubName ?? taskHubName(o.values);
  const systemKey = randomBytes(24).toString("base64url");
  const eventGridKey = randomBytes(24).toString("base64url");
  let client: Record<string, unknown> | undefined;
  let dotnet: DotnetHost | undefined;
  // The worker runs whatever the .NET host asks for: only it holds this token.
  const workerToken = randomBytes(24).toString("base64url");
  const worker = await startWorkerServer({ functions, token: workerToken, log, bindingData: () => client });

  const webhook = async (r: FrontRequest): Promise<Reply> => {
    if (!dotnet) return { status: 503, body: { error: "The Durable engine is not running." } };
    const pathAndQuery = r.url.pathname + r.url.search;
    const res = await fetch(new URL(pathAndQuery, dotnet.ready.webhookListenerUrl), {
      method: r.method, headers: { "Content-Type": String(r.headers["content-type"] ?? "application/json"), "X-Forwarded-Url": new URL(pathAndQuery, front.url).toString() },
      ...(r.method === "GET" || r.method === "HEAD" || r.body === "" ? {} : { body: r.body }),
    });
    const headers: Record<string, string> = {};
    res.headers.forEach((v, k) => { if (!["content-length", "transfer-encoding", "connection"].includes(k)) headers[k] = v; });
    return { status: res.status, body: await res.text(), headers };
  };
  const front: Front = await startFront({
    functions, functionKey: o.functionKey, webhookKey: systemKey, eventGridKey, log, bindingData: () => client, webhook, ...(o.port !== undefined ? { port: o.port } : {}),
  });
  process.env.WEBSITE_HOSTNAME = front.url.slice("http://".length);

  const engineEnv = {
    ...o.values,
    FUNCTIONS_WORKER_RUNTIME: "node",
    AzureFunctionsJobHost__extensions__durableTask__hubName: hubName,
    ENGINE_FUNCTIONS: JSON.stringify([...functions.values()].filter((f) => INVOCATION_KIND[triggerOf(f).type]).map((f) => ({ name: f.name, kind: INVOCATION_KIND[triggerOf(f).type] }))),
    ENGINE_WORKER_URL: worker.url,
    ENGINE_WORKER_TOKEN: workerToken,
    ENGINE_WEBHOOK_BASE_URL: front.url,
    ENGINE_SYSTEM_KEY: systemKey,
    ENGINE_HOST_JSON: path.join(projectRoot(), "host.json"),
  };
  const startEngine = async () => {
    dotnet = await startDotnetHost({ env: engineEnv, log });
    client = JSON.parse(dotnet.ready.client) as Record<string, unknown>;
  };
  await startEngine();
  return {
    url: front.url, functions, systemKey, eventGridKey, hubName, worker,
    tick: (name) => front.tick(name, new Date().toISOString()),
    kill: async () => {
      await dotnet?.kill();
      dotnet = undefined;
    },
    restart: startEngine,
    stop: async () => {
      await dotnet?.stop();
      dotnet = undefined;
      await front.close();
      await worker.close();
    },
  };
}
