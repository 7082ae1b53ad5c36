// `npm run bench:rollout`: one v2 promotion on the local parts, in real time, measured three ways
// (issue 16, item 7): how long from the job's end to 100 % traffic against what the configured
// waits and the service's provisioning must take; how many long-running-operation polls it made;
// and what the staged shift costs in activity executions. `--step-wait=N` sets the hold at each
// partial step (default 5 s); `npm run bench:rollout` runs 5 s and 30 s in separate processes, so
// the fixed cost (noticing the job's end, whole-second Retry-After on each operation) shows apart
// from the waits it is divided by.
import path from "node:path";
import { readLocalSettings } from "../local-host/settings";
import { startLocalStack } from "../local-host/local-stack";
import { EventType } from "../local-host/durable/history";
import type { RunRecord } from "../shared/history/run-record";
import { report } from "./report";

const ENDPOINT = "census-v2";
const STEP_WAIT_SECONDS = stepWaitFromArgs(process.argv.slice(2));

function stepWaitFromArgs(args: readonly string[]): number {
  const a = args.find((x) => x.startsWith("--step-wait="));
  if (a === undefined) return 5;
  const n = Number(a.slice("--step-wait=".length));
  if (!Number.isInteger(n) || n < 1 || n > 600) throw new Error(`--step-wait must be whole seconds from 1 to 600, not ${a.slice("--step-wait=".length)}`);
  return n;
}

async function main(): Promise<void> {
  const root = path.resolve(__dirname, "..", "..");
  const settings = readLocalSettings(path.join(root, "local.settings.sample.json"));
  const stack = await startLocalStack({
    settings: { ...settings, Values: { ...settings.Values, POLL_FIRST_INTERVAL_SECONDS: "1", POLL_MAX_INTERVAL_SECONDS: "2", AZUREML_STEP_WAIT_SECONDS: String(STEP_WAIT_SECONDS) } },
    dataDir: path.join(root, ".local", "bench-rollout"), demoRows: 5_000, schedules: false, propagationDelayInMs: 0,
    azureml: { endpoint: ENDPOINT, gate: "auc>=0.7" }, log: () => undefined,
  });
  try {
    const ml = stack.azureml!;
    const api = (p: string, init?: RequestInit) => fetch(`${stack.host.url}${p}`, { ...init, headers: { "x-functions-key": stack.functionKey } });
    const started = (await (await api("/api/retrain", { method: "POST", body: JSON.stringify({ endpoint: ENDPOINT }) })).json()) as { id: string };
    // The moment the endpoint first routes all traffic to the new deployment, as a caller would see it.
    let allAtMs: number | undefined;
    const watch = setInterval(() => {
      const e = ml.state.endpoint(ENDPOINT)!;
      if (allAtMs === undefined && Object.entries(e.traffic).some(([d, v]) => v === 100 && d !== "blue")) allAtMs = Date.now();
    }, 10);
    let status: { runtimeStatus: string; runId: string; result?: string };
    const until = Date.now() + 10 * 60_000;
    do {
      await new Promise((r) => setTimeout(r, 100));
      status = (await (await api(`/api/retrain/${started.id}`)).json()) as typeof status;
    } while (!["Completed", "Failed", "Terminated"].includes(status.runtimeStatus) && Date.now() < until);
    clearInterval(watch);
    if (status.result !== "promoted" || allAtMs === undefined) throw new Error(`the run did not promote: ${JSON.stringify(status)}`);
    const record = (await (await api(`/api/runs/${status.runId}`)).json()) as RunRecord;
    const job = [...ml.state.jobs.values()].find((j) => j.name === record.jobId)!;
    const rollout = record.rollout!;

    // What the shift must take at least: the waits held below 100 %, the deployment's provisioning,
    // and each traffic change applying (the service's own delays).
    const c = ml.config;
    const heldSteps = rollout.steps.filter((s) => s.percent > 0 && s.percent < 100 && !s.mirror).length;
    const trafficChanges = rollout.steps.filter((s) => s.percent > 0 && !s.check.startsWith("verification:")).length;
    const floorSeconds = heldSteps * STEP_WAIT_SECONDS + c.provisioningDelayInMs / 1000 + trafficChanges * (c.updateDelayInMs / 1000);
    const tookSeconds = (allAtMs - job.endedAtMs!) / 1000;

    const instance = stack.host.engine.get(started.id)!;
    const scheduled = instance.history.filter((e) => e.EventType === EventType.TaskScheduled);
    const byName = (n: string) => scheduled.filter((e) => (e as { Name?: string }).Name === n).length;
    const shiftActivities = ["azuremlSetTraffic", "azuremlPollOperation", "azuremlProbe"].reduce((a, n) => a + byName(n), 0);
    const rolloutActivities = scheduled.filter((e) => String((e as { Name?: string }).Name).startsWith("azureml") && !["azuremlSubmitJob", "azuremlEvaluate"].includes(String((e as { Name?: string }).Name))).length;

    await report({
      name: `rollout-${STEP_WAIT_SECONDS}s`,
      rows: [
        { case: `job end → 100 % traffic (steps ${rollout.steps.filter((s) => !s.mirror && s.percent > 0 && s.percent < 100).map((s) => s.percent).join(", ")}, ${STEP_WAIT_SECONDS} s each)`, unit: "s", project: tookSeconds, baseline: floorSeconds, baselineIs: "waits + provisioning + traffic updates", ratio: tookSeconds / floorSeconds, target: "≤ 1.1×", met: tookSeconds / floorSeconds <= 1.1 },
        { case: "fixed cost over the floor", unit: "s", project: tookSeconds - floorSeconds, baseline: heldSteps * STEP_WAIT_SECONDS, baselineIs: "the configured waits", ratio: (tookSeconds - floorSeconds) / (heldSteps * STEP_WAIT_SECONDS) },
        { case: "async-operation polls per promotion", unit: "polls", project: rollout.operationPolls, baseline: 1 + trafficChanges, baselineIs: "one per operation (deployment + traffic changes)", ratio: rollout.operationPolls / (1 + trafficChanges) },
        { case: "staged shift: activity executions", unit: "activities", project: shiftActivities, baseline: trafficChanges * 3, baselineIs: "set, one poll, one probe per step", ratio: shiftActivities / (trafficChanges * 3) },
      ],
      notes: [`the whole promotion scheduled ${rolloutActivities} v2 activities; ${instance.history.length} history events in the run`],
      details: { steps: rollout.steps, provisioningDelayInMs: c.provisioningDelayInMs, updateDelayInMs: c.updateDelayInMs },
    });
  } finally {
    await stack.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
