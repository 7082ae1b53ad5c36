import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HostedPipeline } from "../support/host";
import { startV2Pipeline } from "../support/azureml";
import type { RunningAzureMlService } from "../../emulator/azureml/service";
import type { AzureMlFaultSettings } from "../../emulator/azureml/faults";
import type { RunRecord } from "../../shared/history/run-record";

/**
 * The fault-matrix rows that apply to Azure ML (v2), each a whole run through the local host on the
 * suite's engine, faults injected by the local v2 service. After every row the endpoint serves
 * from exactly one deployment: traffic is never left split.
 */
let p: HostedPipeline;
let svc: RunningAzureMlService;
let stop: () => Promise<void>;
const ENDPOINT = "census-v2";

beforeAll(async () => {
  ({ p, svc, stop } = await startV2Pipeline(ENDPOINT, { AZUREML_RETIRE_AFTER_HOURS: "0" }));
});
afterAll(() => stop?.());

const endpoint = () => svc.state.endpoint(ENDPOINT)!;
const serving = () => Object.entries(endpoint().traffic).filter(([, v]) => v > 0);

async function runWith(faults: AzureMlFaultSettings, body: Record<string, unknown> = {}): Promise<{ status: Record<string, unknown>; record: RunRecord }> {
  svc.faults.set(faults);
  const start = await p.call("POST", "/api/retrain", { endpoint: ENDPOINT, ...body });
  expect(start.status).toBe(202);
  const { id } = start.body as { id: string };
  await p.engine.waitUntilEnded(id);
  const status = (await p.call("GET", `/api/retrain/${id}`)).body as Record<string, unknown>;
  const record = (await p.call("GET", `/api/runs/${String(status.runId)}`)).body as RunRecord;
  // Whatever happened, one deployment takes all live traffic and nothing is mirrored.
  expect(serving(), JSON.stringify(endpoint().traffic)).toHaveLength(1);
  expect(serving()[0]![1]).toBe(100);
  expect(endpoint().mirrorTraffic).toEqual({});
  return { status, record };
}

describe("v2 fault matrix", () => {
  it("a job that fails: the run fails with the job's state, nothing is deployed", async () => {
    const before = [...endpoint().deployments.keys()];
    const { status } = await runWith({ failNextJob: "the compute cluster was deallocated" });
    expect(status).toMatchObject({ runtimeStatus: "Failed", result: "failed", reason: expect.stringMatching(/ended Failed: the compute cluster was deallocated/) as unknown });
    expect([...endpoint().deployments.keys()]).toEqual(before);
  });

  it("a gate the model cannot pass: rejected, nothing is deployed", async () => {
    const before = [...endpoint().deployments.keys()];
    const { status } = await runWith({}, { gate: "auc>=0.99" });
    expect(status).toMatchObject({ runtimeStatus: "Completed", result: "rejected" });
    expect([...endpoint().deployments.keys()]).toEqual(before);
  });

  it("a deployment that fails to provision: traffic stays on the serving deployment, the failed one is removed", async () => {
    const [before] = serving()[0]!;
    const { status, record } = await runWith({ failNextDeployment: "the image could not be pulled" });
    expect(status).toMatchObject({ result: "failed", reason: expect.stringContaining("the image could not be pulled") as unknown });
    expect(status.reason).toContain(`all traffic is back on ${before}`);
    expect(serving()[0]![0]).toBe(before);
    expect(endpoint().deployments.has(record.rollout!.deployment)).toBe(false);
  });

  it("a deployment that serves the wrong model: the canary at 0 % catches it before any traffic moves", async () => {
    const [before] = serving()[0]!;
    const { status, record } = await runWith({ wrongModelNextDeployment: true });
    expect(status).toMatchObject({ result: "failed", reason: expect.stringMatching(/the canary at 0 % failed: .*scored differently from training time/) as unknown });
    expect(record.rollout!.steps.map((s) => s.percent)).toEqual([0]);
    expect(serving()[0]![0]).toBe(before);
    expect(endpoint().deployments.has(record.rollout!.deployment)).toBe(false);
  });

  it("throttling (429 with Retry-After) and connection resets on ARM calls: waited out and retried, the run promotes", async () => {
    const { status, record } = await runWith({ throttle: { count: 3, retryAfterSeconds: 1 }, resets: 2 });
    expect(status).toMatchObject({ result: "promoted" });
    expect(serving()[0]![0]).toBe(record.rollout!.deployment);
    expect(svc.faults.throttles).toBe(0);
    expect(svc.faults.resets).toBe(0);
  });

  it("the next promotion shifts from the last one's deployment and retires the one it had kept", async () => {
    const first = (await p.call("GET", `/api/runs?endpoint=${ENDPOINT}&limit=20`)).body as { runs: RunRecord[] };
    const kept = first.runs.find((r) => r.result === "promoted")!.rollout!.retained!.deployment;
    const { record } = await runWith({});
    expect(record).toMatchObject({ result: "promoted", rollout: { retired: kept } });
    expect(endpoint().deployments.has(kept)).toBe(false);
    expect(record.rollout!.previousDeployment).not.toBe(kept);
    expect(endpoint().deployments.size).toBe(2); // the new one, and the one it replaced (the rollback target)
  });
});
