import path from "node:path";
import type { DemoPlace } from "./demo-place";
import { defaultSettingsFile } from "./settings";

/**
 * How to see the demo's run once it has ended (its host is gone, so no link to it): serve on the
 * same state folder and settings, then the CLI or the console. Commands as they would be typed
 * from `cwd`; the function key is not printed here (serve prints it).
 */
export function lookAgain(place: DemoPlace, runId: string | undefined, cwd: string): string[] {
  if (!place.stateDir) return ["nothing: --watch ran in memory and kept no state (npm start without --watch keeps its run for npm run serve)"];
  const root = path.resolve(__dirname, "..", "..");
  // From where the command is typed when that is short; a folder elsewhere by its full path.
  const where = (p: string) => {
    const relative = path.relative(cwd, p) || ".";
    return relative.startsWith("..") ? p : relative;
  };
  const shown = (p: string) => {
    const q = where(p);
    return /^[\w./@%+=:-]+$/.test(q) ? q : JSON.stringify(q);
  };
  const defaultState = path.join(root, ".local");
  const flags = [
    ...(place.stateDir !== defaultState ? [`--state-dir=${shown(place.stateDir)}`] : []),
    ...(place.settingsFile !== defaultSettingsFile(root) ? [`--settings=${shown(place.settingsFile)}`] : []),
  ];
  // The CLI finds serve through <state dir>/connection.json, from where it runs.
  const cliState = path.resolve(cwd, ".local") === place.stateDir ? "" : `RETRAINER_STATE_DIR=${shown(place.stateDir)} `;
  const port = place.settings.Host?.LocalHttpPort ?? 7071;
  // What each is for on its own line, the command under it: commands of any length stay copyable.
  return [
    "the app again, on the state this run is kept in:",
    `  npm run serve${flags.length ? ` -- ${flags.join(" ")}` : ""}`,
    "then this run, and every run (the CLI finds serve by itself):",
    `  ${cliState}npx retrainer runs show ${runId ?? "RUN"}`,
    `  ${cliState}npx retrainer runs list`,
    "or the operator console (sign in with the function key serve prints):",
    `  http://127.0.0.1:${port}/api/console`,
  ];
}
