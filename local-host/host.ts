import path from "node:path";
import { existsSync, readFileSync } from "node:fs";
import { installCoreStandIn, registrations, triggerOf, type Registration } from "./registry";
import { DurableEngine, type EngineObserver } from "./durable/engine";
import { InstanceStore, type StateStore } from "./durable/store";
import { ScaledClock, type Clock } from "./durable/clock";
import { clientBindingData, handleDurableApi } from "./client-api";
import { startFront, type Front } from "./front";
import { startRpcServer, type RpcServer } from "./rpc-server";
import { randomBytes } from "node:crypto";
import { resolveSetting } from "./settings";
import { parseNcrontab } from "../shared/schedule/ncrontab";

export interface LocalHostOptions {
  /** App settings (local.settings.json `Values`); applied to process.env before the app loads. */
  readonly values: Readonly<Record<string, string>>;
  /** Key for `function`/`admin` auth level HTTP triggers. */
  readonly functionKey: string;
  /** Key for the durable webhooks (Azure: the extension's system key); random unless given. */
  readonly systemKey?: string;
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
  /** The durable webhooks' key (`/runtime/webhooks/durabletask/*`), as Azure's system key. */
  readonly systemKey: string;
  /** The Event Grid webhook's key (`/runtime/webhooks/eventgrid`), as Azure's `eventgrid_extension` system key. */
  readonly eventGridKey: string;
  /** The durable client's keyless loopback API (`rpcBaseUrl`), on a port of its own. */
  readonly rpcUrl: string;
  readonly engine: DurableEngine;
  readonly functions: ReadonlyMap<string, Registration>;
  /** Invokes a timer trigger now, as its schedule would. */
  tick(functionName: string): Promise<void>;
  stop(): Promise<void>;
}

/** The project root: the nearest folder above this file with a package.json (from source or from dist/). */
export function projectRoot(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, "package.json"))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error("Cannot find the project's package.json.");
    dir = up;
  }
  return dir;
}

/** The app's entry point as the worker finds it: package.json `main`, from the project root. */
export function appEntry(): string {
  const dir = projectRoot();
  const main = (JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as { main?: string }).main;
  if (!main) throw new Error("package.json has no main: the Functions worker loads the app from it.");
  return path.join(dir, main);
}

/**
 * Loads the compiled app as the Node worker does: app settings into the environment, the
 * `@azure/functions-core` stand-in, then require(); registrations happen as a side effect.
 */
export function loadApp(values: Readonly<Record<string, string>>, appPath = appEntry()): ReadonlyMap<string, Registration> {
  for (const [k, v] of Object.entries(values)) process.env[k] = v;
  installCoreStandIn();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(appPath);
  return registrations();
}

/**
 * Runs the compiled Functions app as the Functions host would: captures its registrations,
 * serves its HTTP triggers, fires its timers, and runs its orchestrations and activities through
 * a replaying Durable engine whose state lives in Azurite.
 */
export async function startLocalHost(o: LocalHostOptions): Promise<RunningHost> {
  const log = o.log ?? ((l: string) => console.log(l));
  const functions = loadApp(o.values, o.appPath);
  const hubName = o.hubName ?? taskHubName(o.values);
  const storage = o.values.AzureWebJobsStorage;
  if (!storage) throw new Error("AzureWebJobsStorage is not set: the Durable engine keeps its state there.");
  const clock = o.clock ?? new ScaledClock(1);
  const systemKey = o.systemKey ?? randomBytes(24).toString("base64url");
  const eventGridKey = randomBytes(24).toString("base64url");
  // The front's and the RPC listener's URLs are known once they listen; these run only after that.
  const bindingData = () => clientBindingData(front.url, rpc.url, hubName, systemKey);
  const engine = new DurableEngine({
    store: o.store ?? InstanceStore.forHub(storage, hubName), clock, functions, log, clientBindingData: bindingData, ...(o.observer ? { observer: o.observer } : {}),
  });

  const managementUrls = (id: string) => {
    const m = bindingData().managementUrls as Record<string, string>;
    return Object.fromEntries(Object.entries(m).filter(([k]) => k !== "id").map(([k, v]) => [k, v.replace("INSTANCEID", encodeURIComponent(id))]));
  };
  // The local engine serves the extension's API itself: the RPC form keyless for the app's own
  // durable client on a loopback port of its own (as in Azure), the webhook form on the
  // front behind the system key.
  const rpc: RpcServer = await startRpcServer((r) => handleDurableApi(engine, r.method, r.url, r.body, false, managementUrls, r.headers["content-type"]), log);
  let front: Front;
  try {
    front = await startFront({
      functions, functionKey: o.functionKey, webhookKey: systemKey, eventGridKey, log, bindingData, ...(o.port !== undefined ? { port: o.port } : {}),
      webhook: (r) => handleDurableApi(engine, r.method, r.url, r.body, true, managementUrls, r.headers["content-type"]),
    });
  } catch (e) {
    await rpc.close();
    throw e;
  }
  const tick = (functionName: string) => front.tick(functionName, new Date(clock.now()).toISOString());

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

  const baseUrl = front.url;
  // Keeps the durable library from rewriting status URLs to localhost:7071.
  process.env.WEBSITE_HOSTNAME = baseUrl.slice("http://".length);
  try {
    await engine.start();
  } catch (e) {
    // Storage stayed unreachable: fail the start without leaving the ports open.
    await front.close();
    await rpc.close();
    throw e;
  }
  if (o.schedules ?? true) armSchedules();
  return {
    url: baseUrl,
    systemKey,
    eventGridKey,
    rpcUrl: rpc.url,
    engine,
    functions,
    tick,
    stop: async () => {
      for (const c of cancels) c();
      await engine.stop();
      await front.close();
      await rpc.close();
    },
  };
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
