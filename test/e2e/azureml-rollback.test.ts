import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TokenCredential } from "@azure/identity";
import type { HostedPipeline } from "../support/host";
import { startV2Pipeline } from "../support/azureml";
import { csvRows } from "../support/census";
import type { RunningAzureMlService } from "../../emulator/azureml/service";
import { SEED_MODEL } from "../../emulator/azureml/service";
import { syntheticCensusCsv } from "../../emulator/training/synthetic-census";
import { OnlineEndpointsClient } from "../../shared/backends/azureml/online-endpoints-client";
import type { RunRecord } from "../../shared/history/run-record";

/**
 * Manual rollback on a v2 endpoint through the local host: traffic back to the deployment the
 * undone run kept, or (once that one is gone) the earlier version redeployed; checked through
 * the deployment header against the scores the undone run's job logged for that model, and
 * through the endpoint after. Whatever happens, one deployment takes all live traffic.
 */
let p: HostedPipeline;
let svc: RunningAzureMlService;
let stop: () => Promise<void>;
const ENDPOINT = "census-v2";
const probe = csvRows(syntheticCensusCsv(15, 8));

beforeAll(async () => {
  ({ p, svc, stop } = await startV2Pipeline(ENDPOINT, { AZUREML_STEP_WAIT_SECONDS: "1", AZUREML_TRAFFIC_STEPS: "50,100" }));
});
afterAll(() => stop?.());

const endpoint = () => svc.state.endpoint(ENDPOINT)!;
const servingNow = () => Object.entries(endpoint().traffic).filter(([, v]) => v > 0);
const versionOf = (deployment: string) => /\/versions\/([^/]+)$/.exec(endpoint().deployments.get(deployment)!.modelId)?.[1];

/** What a caller of the endpoint gets for the same rows, scored outside the product. */
async function scores(): Promise<number[]> {
  const credential: TokenCredential = { getToken: () => Promise.resolve({ token: svc.config.armToken, expiresOnTimestamp: Date.now() + 3_600_000 }) };
  const online = new OnlineEndpointsClient({ workspace: { armUrl: svc.armUrl, workspaceId: svc.workspaceId }, credential });
  const e = await online.getEndpoint(ENDPOINT);
  return (await online.score(e.scoringUri!, (await online.listKeys(ENDPOINT)).primaryKey, { input_data: { columns: probe.columns, data: probe.rows } })) as number[];
}

async function finish(path: string, body: Record<string, unknown> = {}): Promise<{ status: Record<string, unknown>; record: RunRecord }> {
  const start = await p.call("POST", path, path === "/api/retrain" ? { endpoint: ENDPOINT, ...body } : body);
  expect(start.status, JSON.stringify(start.body)).toBe(202);
  const { id } = start.body as { id: string };
  await p.engine.waitUntilEnded(id);
  const status = (await p.call("GET", `/api/retrain/${id}`)).body as Record<string, unknown>;
  const record = (await p.call("GET", `/api/runs/${String(status.runId)}`)).body as RunRecord;
  expect(servingNow(), JSON.stringify(endpoint().traffic)).toHaveLength(1);
  expect(servingNow()[0]![1]).toBe(100);
  return { status, record };
}
const ROLLBACK = `/api/endpoints/${ENDPOINT}/rollback`;

describe("manual rollback on a v2 endpoint", () => {
  it("moves all traffic back to the deployment the latest promotion kept, checked against the scores its job logged for that model", async () => {
    const seedScores = await scores();
    const a = await finish("/api/retrain");
    expect(a.record.result).toBe("promoted");
    expect(await scores()).not.toEqual(seedScores);

    const back = await finish(ROLLBACK, { runId: a.record.runId });
    expect(back.status, JSON.stringify(back.status)).toMatchObject({ runtimeStatus: "Completed", result: "rolled-back" });
    expect(back.status.reason).toBe(
      `restored the model that run ${a.record.runId} replaced (census:1): moved all traffic back to deployment blue, which still ran census:1; deployment ${a.record.rollout!.deployment} is kept at 0 % until ${back.record.rollout!.retained!.retireAfter}`,
    );
    expect(servingNow()).toEqual([["blue", 100]]);
    expect(await scores()).toEqual(seedScores);
    expect(back.record).toMatchObject({
      backend: "azureml", result: "rolled-back", dataSource: `rollback of run ${a.record.runId}`,
      modelBefore: a.record.modelAfter, modelAfter: { backend: "azureml", ...SEED_MODEL },
      rollout: { deployment: "blue", previousDeployment: a.record.rollout!.deployment, retained: { deployment: a.record.rollout!.deployment } },
    });
    // Before traffic moved (through the header) and after (through the endpoint): the undone run's probe rows, as its job scored them with census:1.
    expect(back.record.rollout!.steps.map((s) => [s.percent, s.check])).toEqual([
      [0, expect.stringMatching(/^deployment blue: all 20 probe rows scored as at training time/)],
      [100, expect.stringMatching(/^verification: endpoint census-v2: all 20 probe rows scored as at training time/)],
    ]);
    expect(endpoint().deployments.has(a.record.rollout!.deployment)).toBe(true); // kept, so the rollback can be undone

    const again = await finish(ROLLBACK, { runId: a.record.runId });
    expect(again.status).toMatchObject({ result: "rolled-back", reason: expect.stringContaining("already serves census:1 (deployment blue); nothing was changed") as unknown });
  });

  it("redeploys the earlier version when the deployment that ran it is gone, and keeps one rollback target", async () => {
    const b = await finish("/api/retrain"); // from blue (census:1); supersedes the rollback's kept deployment
    const c = await finish("/api/retrain"); // from B's deployment; supersedes blue
    expect([b.record.result, c.record.result]).toEqual(["promoted", "promoted"]);
    expect(endpoint().deployments.has("blue")).toBe(false);
    expect([...endpoint().deployments.keys()].sort()).toEqual([b.record.rollout!.deployment, c.record.rollout!.deployment].sort());

    const back = await finish(ROLLBACK, { runId: b.record.runId });
    expect(back.status, JSON.stringify(back.status)).toMatchObject({ result: "rolled-back", reason: expect.stringContaining("redeployed census:1 as deployment") as unknown });
    const [[into]] = servingNow() as [[string, number]];
    expect(versionOf(into)).toBe(SEED_MODEL.version);
    expect(back.record.rollout).toMatchObject({ deployment: into, previousDeployment: c.record.rollout!.deployment, retired: b.record.rollout!.deployment });
    expect(back.record.rollout!.steps[0]!.check).toMatch(/all 20 probe rows scored as at training time/);
    expect([...endpoint().deployments.keys()].sort()).toEqual([into, c.record.rollout!.deployment].sort());
  });

  it("a redeployed version that serves the wrong model is caught before any traffic moves, and removed", async () => {
    const before = servingNow()[0]![0];
    const deployments = [...endpoint().deployments.keys()].sort();
    // The latest promotion (C) replaced B's version, whose deployment the rollback above retired.
    svc.faults.set({ wrongModelNextDeployment: true });
    const unnamed = await p.call("POST", ROLLBACK, {});
    expect(unnamed.status).toBe(400);
    const r = await finish(ROLLBACK, { runId: (unnamed.body as { latestPromotion: string }).latestPromotion });
    expect(r.status).toMatchObject({ runtimeStatus: "Failed", result: "failed", reason: expect.stringMatching(/before moving traffic failed: .*scored differently from training time.*; traffic was not moved; deployment \S+ was removed$/) as unknown });
    expect(servingNow()[0]![0]).toBe(before);
    expect([...endpoint().deployments.keys()].sort()).toEqual(deployments);
  });

  it("refuses, by name and changing nothing, a run that replaced nothing", async () => {
    const before = JSON.stringify(endpoint().traffic);
    const rejected = await finish("/api/retrain", { gate: "auc>=0.99" });
    expect(rejected.record.result).toBe("rejected");
    const r = await p.call("POST", ROLLBACK, { runId: rejected.record.runId });
    expect([r.status, (r.body as { error: string }).error]).toEqual([409, `Run ${rejected.record.runId} has no earlier model version to roll back to (it was rejected); nothing was changed.`]);
    expect(JSON.stringify(endpoint().traffic)).toBe(before);
  });
});
