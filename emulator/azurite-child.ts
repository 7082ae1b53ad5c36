/**
 * The entry point of the Azurite child process: `node azurite-child.js <azurite.js> <args…>`.
 *
 * It adds two things Azurite lacks and real storage has:
 * - A watchdog on the IPC channel: if the parent dies, even by SIGKILL, the channel closes and
 *   Azurite shuts down (saving its databases) instead of holding its ports and data folder.
 * - With `--location`, a 2xx means stored: Azurite keeps its metadata in LokiJS databases that it
 *   saves every 5 s, so a write it had acknowledged was lost when its process was killed within
 *   those 5 s (a run started 1 s before `kill -9` vanished). Here every answer to a write waits
 *   until the databases are on disk (see durable-commits.ts).
 */
import path from "node:path";
import { AUTOSAVE_ONLY, makeCommitsDurable } from "./durable-commits";

const [, , azuriteMain, ...args] = process.argv;
if (!azuriteMain) throw new Error("usage: node azurite-child.js <azurite.js> <azurite arguments>");

process.channel?.unref();
process.on("disconnect", () => {
  // Azurite's own SIGTERM handler closes its servers and databases; exit anyway if that hangs.
  process.emit("SIGTERM");
  setTimeout(() => process.exit(0), 5_000).unref();
});

if (args.includes("--location") && process.env[AUTOSAVE_ONLY] !== "1") makeCommitsDurable(require.resolve("lokijs", { paths: [path.dirname(azuriteMain)] }));

// Azurite reads its arguments from process.argv[2…], as if it had been started directly.
process.argv.splice(1, 2, azuriteMain);
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a path known only now, loaded after the patches above
require(azuriteMain);
