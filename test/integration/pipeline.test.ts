import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestEmulator, type TestEmulator } from "../support/emulator";
import { pipelineEnv } from "../support/pipeline-env";
import { driveOrchestrator } from "../support/orchestration-driver";
import { getEndpoint, score } from "../support/rrs-client";
import { adultCsv, csvRows } from "../support/census";
import { loadSettings } from "../../shared/config/settings";
import { buildDependencies } from "../../functions/app/dependencies";
import { createActivities } from "../../functions/activities/activities";
import { retrainOrchestrator } from "../../functions/orchestrators/retrain-orchestrator";
import { buildRunInput } from "../../functions/triggers/start-run";
import { BesClient } from "../../shared/backends/classic/bes-client";
import { EndpointClient } from "../../shared/backends/classic/endpoint-client";
import { readResult } from "../../shared/storage/result-reader";
import { isAmlServiceError } from "../../shared/backends/classic/aml-error";

let e: TestEmulator;
let dataRoot: string;
const probe = csvRows(adultCsv());
const probeRows = probe.rows.slice(0, 40);

beforeAll(async () => {
  e = await startTestEmulator();
  dataRoot = mkdtempSync(path.join(tmpdir(), "retrainer-data-"));
  writeFileSync(path.join(dataRoot, "census.csv"), adultCsv());
});
afterAll(() => e.stop());

describe("the pipeline against the local ML service and Azurite", () => {
  it("stages real data, trains, gates, promotes and verifies; the endpoint then serves different scores", async () => {
    const settings = loadSettings(pipelineEnv(e, dataRoot));
    const logs: string[] = [];
    const deps = buildDependencies(settings, (l) => logs.push(l));
    const endpoint = await getEndpoint(e, "retrain");
    const before = await score(e, endpoint, probe.columns, probeRows);

    const input = buildRunInput(settings, { endpoint: "retrain", trigger: { kind: "http", caller: "test" } });
    const activities = createActivities(deps) as unknown as Record<string, (i: never) => Promise<unknown>>;
    const result = await driveOrchestrator(retrainOrchestrator, input, activities, { realDelayPerTimerInMs: 50 });

    expect(result.error).toBeUndefined();
    expect(result.output).toMatchObject({ result: "promoted", decision: { passed: true } });
    const metrics = (result.output as { metrics: Record<string, number> }).metrics;
    expect(metrics.auc).toBeGreaterThanOrEqual(0.89);
    const served = await getEndpoint(e, "retrain");
    expect(served.Resources[0]!.Location.RelativeLocation).toBe(`${settings.STAGING_CONTAINER}/${input.runId}/model.ilearner`);
    expect(await score(e, endpoint, probe.columns, probeRows)).not.toEqual(before);
    // the run's blobs are run-scoped
    const blobs: string[] = [];
    for await (const b of e.blobs.getContainerClient(settings.STAGING_CONTAINER).listBlobsFlat({ prefix: input.runId })) blobs.push(b.name);
    expect(blobs.sort()).toEqual(["evaluation.csv", "input.csv", "model.ilearner", "probe-scored.csv", "probe.csv"].map((b) => `${input.runId}/${b}`));
    // nothing secret reached the log
    const text = logs.join("\n");
    expect(text).toMatch(/RetrainCompleted/);
    for (const secret of [e.config.trainingApiKey, e.config.managementToken, "sig="]) expect(text).not.toContain(secret);
  });

  it("reads an evaluation after its SAS has really expired: one job GET, fresh token, success", async () => {
    const settings = loadSettings(pipelineEnv(e, dataRoot));
    const deps = buildDependencies(settings, () => undefined);
    const input = buildRunInput(settings, { endpoint: "retrain", dryRun: true, trigger: { kind: "http" } });
    const activities = createActivities(deps) as unknown as Record<string, (i: never) => Promise<unknown>>;
    const run = await driveOrchestrator(retrainOrchestrator, input, activities, { realDelayPerTimerInMs: 50 });
    expect(run.output).toMatchObject({ result: "dry-run" });
    const jobId = (run.output as { jobId: string }).jobId;
    const bes = new BesClient({ serviceUrl: `${e.besBase}`, apiKey: e.config.trainingApiKey });

    await e.admin("POST", "faults", { sasLifetimeInSeconds: 1 });
    const staleResults = (await bes.getJob(jobId)).results;
    const stale = staleResults.output2!;
    await e.admin("DELETE", "faults");
    const expiry = Date.parse(new URLSearchParams(stale.SasBlobToken.slice(1)).get("se")!);
    await new Promise((r) => setTimeout(r, Math.max(0, expiry - Date.now()) + 1_000));
    expect((await fetch(`${stale.BaseLocation}${stale.RelativeLocation}${stale.SasBlobToken}`)).status).toBe(403);

    const statusCallsBefore = ((await e.admin("GET", "calls")).body as Record<string, number>).status!;
    const read = await readResult({ location: stale, refresh: async () => (await bes.getJob(jobId)).results.output2! }, { refreshMarginInMs: 0 });
    expect(read.refreshes).toBe(1);
    expect(read.text.split(/\r?\n/)[0]).toBe("Accuracy,Precision,Recall,F-Score,AUC,Average Log Loss,Training Log Loss");
    expect(((await e.admin("GET", "calls")).body as Record<string, number>).status! - statusCallsBefore).toBe(1);

    // and the service refuses a PATCH through an expired token in words the promote activity recognises
    const endpoints = new EndpointClient({ managementUrl: e.managementUrl, workspaceId: e.config.workspaceId, webServiceId: e.config.predictiveServiceId, apiKey: e.config.managementToken });
    const target = await endpoints.getEndpoint("retrain");
    const err = await endpoints.updateResource(target, "Census Model [trained model]", staleResults.output1!).catch((x: unknown) => x);
    expect(isAmlServiceError(err) && err.statusCode === 400 && /refused|expired|403/i.test(err.message)).toBe(true);
  });
});
