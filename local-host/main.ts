import path from "node:path";
import { defaultSettingsFile, readLocalSettings, type LocalSettings } from "./settings";
import { lockStateDir, writeConnectionFile, type StateLock } from "./state-dir";
import { createTerminal, printable } from "./terminal";
import { DEMO_AZUREML, startLocalStack } from "./local-stack";
import { check, readCommandLine, UsageError, type Flags } from "./cli-flags";
import { redact } from "../shared/redact";
import { AVAILABLE_BACKENDS } from "../shared/config/settings";
import { BLOB_EVENTS_PORT, parseAzuritePorts } from "./stable-ports";

const FLAGS = {
  settings: { type: "string", value: "FILE", help: "local settings (default local.settings.json, else local.settings.sample.json)", check: check.readableFile },
  "state-dir": { type: "string", value: "DIR", help: "where Azurite's data and the runs persist across restarts (default .local)", check: check.folder },
  port: { type: "string", value: "N", help: "the Functions host's HTTP port (default the settings' Host.LocalHttpPort, else 7071)", check: check.port },
  "azurite-ports": { type: "string", value: "BLOB,QUEUE,TABLE", help: "Azurite's ports (default: the ones the state folder was used with, else 10000,10001,10002, as UseDevelopmentStorage=true means)", check: problemOf(parseAzuritePorts) },
  "blob-events-port": { type: "string", value: "N", help: `blobs written through this port start runs, when an endpoint has a dataLocation (default ${BLOB_EVENTS_PORT}; 0: a free one)`, check: check.port },
  "no-ml-service": { type: "boolean", help: "use the ML service at the configured AML_*_URLs as they are, even on loopback" },
  backend: { type: "string", value: AVAILABLE_BACKENDS.join("|"), help: `azureml also starts the local Azure ML (v2) service with the online endpoint ${DEMO_AZUREML.endpoint}`, check: check.oneOf(AVAILABLE_BACKENDS) },
} satisfies Flags;

/** A parser's refusal as a flag check's answer. */
function problemOf(parse: (v: string) => unknown): (v: string) => string | undefined {
  return (v) => {
    try {
      parse(v);
      return undefined;
    } catch (e) {
      return (e as Error).message;
    }
  };
}

/**
 * `npm run serve`: the app in the local host, like `func start`: schedule active, HTTP API on a
 * printed URL, over Azurite and the local ML service. State persists in .local/ across restarts,
 * on ports that stay the same: Azurite's standard ones, the ML service's from its settings.
 */
async function main(): Promise<void> {
  const root = path.resolve(__dirname, "..", "..");
  // Every option is checked before anything starts (exit 2).
  const { flags, file, settings } = readCommandLine(
    { command: "npm run serve --", about: "Runs the app in the local host, like func start: schedule active, HTTP API listening, state kept in .local/.", flags: FLAGS },
    process.argv.slice(2),
    (flags) => {
      const file = flags.settings ? path.resolve(flags.settings) : defaultSettingsFile(root);
      let settings: LocalSettings;
      try {
        settings = readLocalSettings(file);
      } catch (e) {
        if (flags.settings) throw new UsageError(`--settings: ${(e as Error).message}`);
        throw e;
      }
      return { flags, file, settings };
    },
  );
  const stateDir = flags["state-dir"] ? path.resolve(flags["state-dir"]) : path.join(root, ".local");
  const t = createTerminal(process.stdout, { env: process.env });
  const log = (l: string) => t.line(redact(l));
  let lock: StateLock;
  try {
    lock = lockStateDir(stateDir, "npm run serve");
  } catch (e) {
    if ((e as Error).name !== "StateDirBusy") throw e;
    console.error(`npm run serve: ${printable((e as Error).message)}`);
    process.exit(1);
  }
  log(`Settings from ${path.basename(file)}`);
  const stack = await startLocalStack({
    settings, stateDir, dataDir: path.join(stateDir, "data"), demoRows: 20_000,
    hostPort: flags.port !== undefined ? Number(flags.port) : settings.Host?.LocalHttpPort ?? 7071, schedules: true, propagationDelayInMs: 5_000, log,
    startMlService: flags["no-ml-service"] !== true,
    // The v2 service keeps its state in memory: a restart of serve starts it afresh.
    ...(flags.backend === "azureml" ? { azureml: DEMO_AZUREML } : {}),
    stablePorts: flags["azurite-ports"] ? { azurite: parseAzuritePorts(flags["azurite-ports"]) } : {},
    // Only when some endpoint has a data location: nothing else listens for blob events.
    ...(hasDataLocation(settings.Values.RETRAIN_ENDPOINT_SETTINGS) ? { blobEvents: { port: flags["blob-events-port"] !== undefined ? Number(flags["blob-events-port"]) : BLOB_EVENTS_PORT } } : {}),
  });
  const url = stack.host.url;
  // For the CLI (npx retrainer …): where serve listens and its key, while it does.
  const removeConnection = writeConnectionFile(stateDir, { url, functionKey: stack.functionKey, pid: process.pid });
  const b = (text: string) => t.style("bold", text);
  console.log(
    [
      "",
      `Functions host listening on ${b(url)}`,
      `  operator console: ${b(`${url}/api/console`)}   (sign in with the function key below)`,
      `  command line: npx retrainer runs list, npx retrainer runs show RUN (it finds this host through ${path.join(path.relative(process.cwd(), stateDir) || ".", "connection.json")})`,
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
  const shutdown = () => {
    removeConnection();
    void stack.stop().then(() => {
      lock.release();
      process.exit(0);
    });
  };
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

main().catch((e: unknown) => {
  console.error(`The local host failed to start: ${printable(redact((e as Error).message))}`);
  process.exit(1);
});
