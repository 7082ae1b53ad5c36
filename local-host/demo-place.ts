import path from "node:path";
import { defaultSettingsFile, readLocalSettings, type LocalSettings } from "./settings";

/** Where `npm start` runs and keeps its run. */
export interface DemoPlace {
  readonly settingsFile: string;
  readonly settings: LocalSettings;
  /** Azurite's data and the runs, shared with `npm run serve`; undefined: in memory, gone when the demo ends. */
  readonly stateDir?: string;
  /** The training data (RETRAIN_DATA_ROOT): serve's `<stateDir>/data`, so a run serve repeats finds its file. */
  readonly dataDir: string;
  /** Why the settings are not the ones serve would read. */
  readonly note?: string;
}

const isLoopback = (url: string | undefined) => {
  try {
    return !!url && ["127.0.0.1", "localhost"].includes(new URL(url).hostname);
  } catch {
    return false;
  }
};

/** Settings that keep everything on this machine: storage in Azurite, the ML service on loopback. */
function allLocal(s: LocalSettings): boolean {
  const v = s.Values;
  return v.AzureWebJobsStorage === "UseDevelopmentStorage=true" && v.STAGING_STORAGE_CONNECTION_STRING === "UseDevelopmentStorage=true" && isLoopback(v.AML_SERVICES_URL) && isLoopback(v.AML_MANAGEMENT_URL);
}

/**
 * The demo runs where `npm run serve` would look: the same settings file (so the same task hub,
 * history table and containers) and the same state folder, so serve lists the run afterwards.
 * Settings that reach outside this machine are not the demo's to use (it would train and
 * promote in someone's Azure): then it runs on the sample's local settings and says so.
 * `persist: false` (--watch, whose app writes through an Event Grid topic on a port of its own
 * that stored model locations would carry): in memory, nothing kept.
 */
export function demoPlace(root: string, stateDir: string, persist: boolean): DemoPlace {
  const serveFile = defaultSettingsFile(root);
  const sampleFile = path.join(root, "local.settings.sample.json");
  const serves = readLocalSettings(serveFile);
  const local = allLocal(serves);
  const settingsFile = local ? serveFile : sampleFile;
  const settings = local ? serves : readLocalSettings(sampleFile);
  const note = local ? undefined : `${path.basename(serveFile)} reaches outside this machine (storage or ML service): the demo runs on ${path.basename(sampleFile)}, and npm run serve with ${path.basename(serveFile)} will not list its run`;
  return persist
    ? { settingsFile, settings, stateDir, dataDir: path.join(stateDir, "data"), ...(note ? { note } : {}) }
    : { settingsFile, settings, dataDir: path.join(stateDir, "demo"), ...(note ? { note } : {}) };
}
