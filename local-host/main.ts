import { existsSync } from "node:fs";
import path from "node:path";
import { readLocalSettings } from "./settings";
import { DEMO_AZUREML, startLocalStack } from "./local-stack";
import { redact } from "../shared/redact";
import { BLOB_EVENTS_PORT, DEVELOPMENT_STORAGE_PORTS, parseAzuritePorts } from "./stable-ports";

/**
 * `npm run serve`: the app in the local host, like `func start`: schedule active, HTTP API on a
 * printed URL, over Azurite and the local ML service. State persists in .local/ across restarts,
 * on ports that stay the same: Azurite's standard ones, the ML service's from its settings.
 */
async function main(): Promise<void> {
  const root = path.resolve(__dirname, "..", "..");
  const flags = Object.fromEntries(process.argv.slice(2).map((a) => {
    const m = /^--(settings|state-dir|port|azurite-ports|backend|blob-events-port)=(.+)$|^--(no-ml-service)$/.exec(a);
    if (!m || (m[1] === "backend" && !["classic", "azureml"].includes(m[2]!))) {
      throw new Error(`Unknown option "${a}". Options: --settings=FILE --state-dir=DIR --port=N --azurite-ports=BLOB,QUEUE,TABLE --blob-events-port=N --no-ml-service --backend=classic|azureml`);
    }
    return m[3] ? [m[3], "true"] : [m[1]!, m[2]!];
  }));
  const file = flags.settings ? path.resolve(flags.settings) : ["local.settings.json", "local.settings.sample.json"].map((f) => path.join(root, f)).find((f) => existsSync(f))!;
  const settings = readLocalSettings(file);
  const stateDir = flags["state-dir"] ? path.resolve(flags["state-dir"]) : path.join(root, ".local");
  const log = (l: string) => console.log(redact(l));
  log(`Settings from ${path.basename(file)}`);
  const stack = await startLocalStack({
    settings, stateDir, dataDir: path.join(stateDir, "data"), demoRows: 20_000,
    hostPort: flags.port !== undefined ? Number(flags.port) : settings.Host?.LocalHttpPort ?? 7071, schedules: true, propagationDelayInMs: 5_000, log,
    startMlService: flags["no-ml-service"] !== "true",
    // The v2 service keeps its state in memory: a restart of serve starts it afresh.
    ...(flags.backend === "azureml" ? { azureml: DEMO_AZUREML } : {}),
    stablePorts: { azurite: flags["azurite-ports"] ? parseAzuritePorts(flags["azurite-ports"]) : DEVELOPMENT_STORAGE_PORTS },
    // Only when some endpoint has a data location: nothing else listens for blob events.
    ...(hasDataLocation(settings.Values.RETRAIN_ENDPOINT_SETTINGS) ? { blobEvents: { port: blobEventsPort(flags["blob-events-port"]) } } : {}),
  });
  const url = stack.host.url;
  console.log(
    [
      "",
      `Functions host listening on ${url}`,
      `  POST ${url}/api/retrain          start a run (body optional: {"endpoint","dataSource","gate","dryRun"})`,
      `  GET  ${url}/api/retrain/{id}     a run's stage, metrics and decision`,
      `  function key: pass ?code=${stack.functionKey} or the x-functions-key header`,
      `  durable webhooks (${url}/runtime/webhooks/durabletask/...): system key ${stack.host.systemKey} (new each start, as the status links in a 202 carry it)`,
      `  schedule: ${stack.values.RETRAIN_SCHEDULE} (NCRONTAB, UTC) for ${stack.values.RETRAIN_ENDPOINTS}`,
      ...(stack.blobEventsUrl ? [`  new data: blobs written through ${stack.blobEventsUrl} (Azurite behind its Event Grid topic) start the runs of the endpoint whose dataLocation holds them`] : []),
      ...(stack.azureml ? [`  Azure ML (v2): endpoint "${DEMO_AZUREML.endpoint}" on the local v2 service ${stack.azureml.armUrl} (npm run emulator:azureml prints its routes)`] : []),
      "Press Ctrl+C to stop.",
    ].join("\n"),
  );
  const shutdown = () => void stack.stop().then(() => process.exit(0));
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}

function hasDataLocation(endpointSettings: string | undefined): boolean {
  try {
    return Object.values(JSON.parse(endpointSettings || "{}") as Record<string, { dataLocation?: unknown }>).some((e) => typeof e?.dataLocation === "string");
  } catch {
    return false; // the app's own settings check names the problem
  }
}

/** Where writes make blob events: 10003 (beside Azurite's 10000-10002) unless given; 0 takes a free port. */
function blobEventsPort(flag: string | undefined): number {
  if (flag === undefined) return BLOB_EVENTS_PORT;
  if (!/^\d{1,5}$/.test(flag) || Number(flag) > 65_535) throw new Error(`--blob-events-port must be a port from 0 to 65535, got "${flag}".`);
  return Number(flag);
}

main().catch((e: unknown) => {
  console.error(`The local host failed to start: ${redact((e as Error).message)}`);
  process.exit(1);
});
