import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HostedPipeline } from "../support/host";
import { startV2Pipeline } from "../support/azureml";
import { onRealEngine } from "../support/engine";
import { prng } from "../support/prng";
import type { RunningAzureMlService } from "../../emulator/azureml/service";
import type { AzureMlFaultSettings } from "../../emulator/azureml/faults";
import type { RunStatus } from "../../functions/orchestrators/run-input";
import type { RunRecord } from "../../shared/history/run-record";

/** The real engine waits out operation polls and Retry-After in real time: fewer runs there. */
const RUNS = onRealEngine ? 15 : 40;
const SEED = 20261202;
const ENDPOINT = "census-v2";

/** The v2 fault rows a scheduled run meets unattended, and whether a promotion may survive them. */
const CATALOGUE: readonly ((pick: () => number) => { name: string; faults: AzureMlFaultSettings; mayPromote: boolean })[] = [
  () => ({ name: "none", faults: {}, mayPromote: true }),
  (pick) => ({ name: "throttle", faults: { throttle: { count: 1 + Math.floor(pick() * 3), retryAfterSeconds: 1 } }, mayPromote: true }),
  (pick) => ({ name: "resets", faults: { resets: 1 + Math.floor(pick() * 2) }, mayPromote: true }),
  () => ({ name: "job fails", faults: { failNextJob: "injected by the soak" }, mayPromote: false }),
  () => ({ name: "job hangs", faults: { holdNextJobMs: -1 }, mayPromote: false }),
  () => ({ name: "provisioning fails", faults: { failNextDeployment: "injected by the soak" }, mayPromote: false }),
  () => ({ name: "wrong model", faults: { wrongModelNextDeployment: true }, mayPromote: false }),
];

let p: HostedPipeline;
let svc: RunningAzureMlService;
let stop: () => Promise<void>;
beforeAll(async () => {
  ({ p, svc, stop } = await startV2Pipeline(ENDPOINT, {
    RETRAIN_ENDPOINTS: ENDPOINT, AZUREML_TRAFFIC_STEPS: "10,50,100", AZUREML_STEP_WAIT_SECONDS: "20", AZUREML_RETIRE_AFTER_HOURS: "0",
    POLL_FIRST_INTERVAL_SECONDS: "5", POLL_MAX_INTERVAL_SECONDS: "20", JOB_DEADLINE_MINUTES: "10",
  }, 200));
});
afterAll(() => stop?.());

const endpoint = () => svc.state.endpoint(ENDPOINT)!;

describe("v2 soak", () => {
  it(`${RUNS} consecutive scheduled v2 runs with random faults (seed ${SEED}): one job each, traffic never left split, nothing wrongly promoted`, { timeout: onRealEngine ? 900_000 : 420_000 }, async () => {
    const pick = prng(SEED);
    const injected: Record<string, number> = {};
    const results: Record<string, number> = {};
    const problems: string[] = [];
    let lastPromoted: RunRecord | undefined;
    let polls = 0;
    const t0 = Date.now();
    for (let i = 0; i < RUNS; i++) {
      const fault = CATALOGUE[Math.floor(pick() * CATALOGUE.length)]!(pick);
      injected[fault.name] = (injected[fault.name] ?? 0) + 1;
      svc.faults.set(fault.faults);
      const jobsBefore = svc.state.jobs.size;
      const splitsBefore = endpoint().trafficLog.length;
      await p.host.tick("retrainSchedule");
      const tick = await p.engine.waitUntilEnded("retrain-schedule");
      const run = (await p.engine.instance(`retrain-${ENDPOINT}`))!;
      const s = run.customStatus as RunStatus;
      const record = (await p.call("GET", `/api/runs/${s.runId}`)).body as RunRecord;
      svc.faults.set({ throttle: { count: 0, retryAfterSeconds: 1 }, resets: 0, holdNextJobMs: 0 });
      results[s.result ?? "none"] = (results[s.result ?? "none"] ?? 0) + 1;
      polls += record.rollout?.operationPolls ?? 0;
      const where = `run ${i} (${fault.name}, ${s.runId})`;
      if (svc.state.jobs.size - jobsBefore !== 1) problems.push(`${where}: ${svc.state.jobs.size - jobsBefore} jobs, expected 1`);
      if (tick.status !== "Completed" || !["Completed", "Failed"].includes(run.status) || s.stage !== "done") problems.push(`${where}: not terminal (${tick.status}/${run.status}/${s.stage})`);
      if (record.result !== s.result) problems.push(`${where}: recorded ${record.result}, status says ${s.result}`);
      const live = Object.entries(endpoint().traffic).filter(([, v]) => v > 0);
      if (live.length !== 1 || live[0]![1] !== 100 || Object.keys(endpoint().mirrorTraffic).length > 0) problems.push(`${where}: left ${JSON.stringify(endpoint().traffic)} mirror ${JSON.stringify(endpoint().mirrorTraffic)}`);
      if (endpoint().deployments.size > 2) problems.push(`${where}: ${endpoint().deployments.size} deployments (serving and one rollback target at most)`);
      for (const t of endpoint().trafficLog.slice(splitsBefore)) if (Object.keys(t).length > 2) problems.push(`${where}: a split over ${JSON.stringify(t)}`);
      if (s.result === "promoted") {
        if (!s.decision?.passed) problems.push(`${where}: promoted without a passing gate`);
        if (!record.rollout?.steps.some((x) => /^verification: .*probe rows scored as at training time/.test(x.check))) problems.push(`${where}: promoted without verification`);
        if (!fault.mayPromote) problems.push(`${where}: promoted despite ${fault.name}`);
        if (live[0]?.[0] !== record.rollout?.deployment) problems.push(`${where}: promoted ${record.rollout?.deployment} but ${live[0]?.[0]} serves`);
        lastPromoted = record;
      }
    }
    const seconds = (Date.now() - t0) / 1000;
    console.log(`v2 soak: ${RUNS} runs in ${seconds.toFixed(1)} s, faults ${JSON.stringify(injected)}, results ${JSON.stringify(results)}, operation polls ${polls}, problems ${problems.length}`);
    expect(problems).toEqual([]);
    expect(lastPromoted).toBeDefined();
    // The endpoint serves the last promoted version.
    const serving = Object.keys(endpoint().traffic)[0]!;
    expect(endpoint().deployments.get(serving)!.modelId).toMatch(new RegExp(`/models/${lastPromoted!.rollout!.model.name}/versions/${lastPromoted!.rollout!.model.version}$`));
    expect(Object.keys(injected).length).toBe(CATALOGUE.length);
  });
});
