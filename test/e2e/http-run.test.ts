import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHostedPipeline, type HostedPipeline } from "../support/host";
import { getEndpoint, score } from "../support/rrs-client";
import { csvRows } from "../support/census";
import { syntheticCensusCsv } from "../../emulator/training/synthetic-census";

let p: HostedPipeline;
const probe = csvRows(syntheticCensusCsv(30, 7));

beforeAll(async () => {
  p = await startHostedPipeline();
});
afterAll(() => p.stop());

describe("HTTP trigger → orchestration → local ML service, through the local host", () => {
  it("promotes a passing model, which then serves new scores", async () => {
    const endpoint = await getEndpoint(p.emulator, "retrain");
    const before = await score(p.emulator, endpoint, probe.columns, probe.rows);
    const start = await p.call("POST", "/api/retrain", { endpoint: "retrain" });
    expect(start.status).toBe(202);
    const urls = start.body as { id: string; statusQueryGetUri: string };
    expect(urls.id).toBe("retrain-retrain");
    expect(urls.statusQueryGetUri).toContain(`${p.host.url}/runtime/webhooks/durabletask/instances/retrain-retrain`);
    const ended = await p.engine.waitUntilEnded(urls.id);
    expect(ended.status).toBe("Completed");
    const status = await p.call("GET", `/api/retrain/${urls.id}`);
    expect(status.body).toMatchObject({ runtimeStatus: "Completed", stage: "done", result: "promoted", decision: { passed: true } });
    expect(await score(p.emulator, endpoint, probe.columns, probe.rows)).not.toEqual(before);
    console.log(`one promoted run (${p.engineKind} engine): ${ended.episodes ?? "unreported"} orchestrator episodes (replays), ${ended.historyEvents} history events${p.engineKind === "real" ? " (the status API's summary)" : ""}`);
  });
});
