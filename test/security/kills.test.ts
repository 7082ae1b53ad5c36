import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { syntheticCensusCsv } from "../../emulator/training/synthetic-census";
import { freePorts, serve, type Served } from "../support/serve";

/**
 * `npm run serve` as a user runs it: its own Azurite persisting to the state folder, its own ML
 * service, the host; killed with `kill -9` and started again (issue 14, items 11 and 12).
 */
const root = path.resolve(__dirname, "../..");
const sample = JSON.parse(readFileSync(path.join(root, "local.settings.sample.json"), "utf8")) as { Values: Record<string, string>; Host: { FunctionKey: string } };
const key = sample.Host.FunctionKey;
const token = sample.Values.AML_MANAGEMENT_API_KEY!;

const running: Served[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.killAll();
});

/** A state folder and settings on ports of its own, the same for every start. */
async function stack() {
  const [blob, queue, table, services, management] = await freePorts(5);
  const dir = mkdtempSync(path.join(tmpdir(), "retrainer-serve-"));
  const settingsFile = path.join(dir, "local.settings.json");
  writeFileSync(settingsFile, JSON.stringify({
    ...sample,
    Values: {
      ...sample.Values,
      AML_SERVICES_URL: `http://127.0.0.1:${services}`,
      AML_MANAGEMENT_URL: `http://127.0.0.1:${management}`,
      POLL_FIRST_INTERVAL_SECONDS: "1",
      POLL_MAX_INTERVAL_SECONDS: "2",
      VERIFY_DELAY_SECONDS: "6",
      RETRAIN_SCHEDULE: "0 0 0 1 1 *",
    },
  }));
  const stateDir = path.join(dir, "state");
  const managementUrl = `http://127.0.0.1:${management}`;
  return {
    stateDir,
    start: async (extra: string[] = []) => {
      const s = await serve([`--settings=${settingsFile}`, `--state-dir=${stateDir}`, "--port=0", `--azurite-ports=${blob},${queue},${table}`, ...extra]);
      running.push(s);
      return s;
    },
    jobs: async () => (await (await fetch(`${managementUrl}/_admin/jobs`, { headers: { Authorization: `Bearer ${token}` } })).json()) as unknown[],
    servedModel: async () => {
      const r = await fetch(`${managementUrl}/workspaces/${sample.Values.AML_WORKSPACE_ID}/webservices/${sample.Values.AML_PREDICTIVE_SERVICE_ID}/endpoints/retrain`, { headers: { Authorization: `Bearer ${token}` } });
      return ((await r.json()) as { Resources: { Location: { RelativeLocation: string } }[] }).Resources[0]!.Location.RelativeLocation;
    },
  };
}

const api = async (s: Served, method: string, route: string, body?: unknown) => {
  const r = await fetch(`${s.url}${route}`, { method, headers: { "x-functions-key": key }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
};
const status = async (s: Served) => (await api(s, "GET", "/api/retrain/retrain-retrain")).body;
const ended = async (s: Served) => {
  await expect.poll(async () => (await status(s)).runtimeStatus, { timeout: 90_000, interval: 200 }).toMatch(/^(Completed|Failed|Terminated)$/);
  return status(s);
};

describe("npm run serve through kill -9 and restarts", () => {
  it("a run started just before every process is SIGKILLed is there after a restart, completes and trained once", async () => {
    const st = await stack();
    const first = await st.start();
    const started = await api(first, "POST", "/api/retrain", {});
    expect(started.status).toBe(202);
    await first.killAll(); // the host and its Azurite, within milliseconds of the 202

    const second = await st.start();
    expect(second.output()).toMatch(/resuming retrain-retrain \(retrainOrchestrator\)/);
    expect(await ended(second)).toMatchObject({ runtimeStatus: "Completed", result: "promoted" });
    expect(await st.jobs()).toHaveLength(1);
  }, 180_000);

  it("keeps every stored location working across restarts: the earlier model is the champion, is archived and is rolled back to", async () => {
    const st = await stack();
    const first = await st.start();
    expect((await api(first, "POST", "/api/retrain", {})).status).toBe(202);
    const one = await ended(first);
    expect(one).toMatchObject({ result: "promoted" });
    await first.stop();

    const second = await st.start();
    // Other rows, as many as the first run's (serve generates 20,000), so the data checks let them past.
    writeFileSync(path.join(st.stateDir, "data", "other.csv"), syntheticCensusCsv(20_000, 77));
    expect((await api(second, "POST", "/api/retrain", { dataSource: "other.csv" })).status).toBe(202);
    await expect.poll(async () => (await status(second)).stage, { timeout: 60_000, interval: 50 }).toBe("verifying");
    await second.killAll();

    // Restarted mid-verification: it verifies the model it promoted, and rolls nothing back.
    const third = await st.start();
    const two = await ended(third);
    expect(two).toMatchObject({ runtimeStatus: "Completed", result: "promoted", stage: "done" });
    expect(typeof (two.championMetrics as Record<string, unknown> | undefined)?.auc).toBe("number"); // the model served before the restarts was read and scored
    const record = (await api(third, "GET", `/api/runs/${String(two.runId)}`)).body as { modelBefore?: { RelativeLocation: string }; archivedModel?: { RelativeLocation: string } };
    expect(record.modelBefore?.RelativeLocation).toBe(one.model);
    expect(record.archivedModel?.RelativeLocation).toBe(`retrainer-archive/retrain/${String(two.runId)}/previous.ilearner`);
    expect(await st.servedModel()).toBe(two.model);

    expect((await api(third, "POST", "/api/endpoints/retrain/rollback", { runId: two.runId })).status).toBe(202);
    expect(await ended(third)).toMatchObject({ runtimeStatus: "Completed", result: "rolled-back" });
    expect(await st.servedModel()).toBe(record.archivedModel?.RelativeLocation);
  }, 240_000);

  it("refuses to start a state folder on other ports than it was used with, and says why", async () => {
    const st = await stack();
    await (await st.start()).stop();
    const [other] = await freePorts(3);
    const refused = await serve([`--settings=${path.join(path.dirname(st.stateDir), "local.settings.json")}`, `--state-dir=${st.stateDir}`, "--port=0", `--azurite-ports=${other},${other! + 1},${other! + 2}`]).catch((e: Error) => e);
    expect((refused as Error).message).toMatch(/was used with other ports \(azuriteBlob \d+ → \d+.*start with the same ports.*or use a new --state-dir/s);
  }, 60_000);
});
