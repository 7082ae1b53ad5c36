import type { AzureMlDependencies } from "../activities/azureml/dependencies";
import type { TrafficShift } from "../orchestrators/run-input";

/** How long settling waits for the traffic change before removing the new deployment. */
const TRAFFIC_WAIT_IN_MS = 20_000;
const TRAFFIC_POLL_IN_MS = 500;

/**
 * A v2 run terminated in the middle of a traffic move (no orchestrator code runs on terminate):
 * all live traffic goes back to the deployment that served before and the mirror is cleared, as
 * the run itself would have done on failure; the deployment the run created is then removed. The
 * wait for the traffic change is bounded; past it the new deployment is kept and the sentence
 * says so. Returns what was done.
 */
export async function settleShift(ml: Pick<AzureMlDependencies, "online">, endpoint: string, shift: TrafficShift, sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))): Promise<string> {
  const e = await ml.online.getEndpoint(endpoint);
  const restored = Object.keys(e.traffic).length === 1 && e.traffic[shift.from] === 100 && Object.keys(e.mirrorTraffic).length === 0;
  const done: string[] = [];
  if (!restored) {
    let op = await ml.online.setTraffic(endpoint, { [shift.from]: 100 }, {});
    for (let waited = 0; !op.done && waited < TRAFFIC_WAIT_IN_MS; waited += TRAFFIC_POLL_IN_MS) {
      await sleep(TRAFFIC_POLL_IN_MS);
      const s = await ml.online.pollOperation(op);
      if (s.state === "failed") return `putting traffic back on ${shift.from} failed (${s.reason}); the endpoint sends ${JSON.stringify(e.traffic)}: fix it at the service`;
      if (s.state === "succeeded") op = { done: true };
    }
    if (!op.done) return `traffic is being put back on ${shift.from} (it was ${JSON.stringify(e.traffic)}), which had not finished after ${TRAFFIC_WAIT_IN_MS / 1000} s; deployment ${shift.to} was kept: remove it once it takes no traffic`;
    done.push(`all traffic was put back on ${shift.from} (it was ${JSON.stringify(e.traffic)}${Object.keys(e.mirrorTraffic).length > 0 ? `, mirroring ${JSON.stringify(e.mirrorTraffic)}` : ""})`);
  } else {
    done.push(`all traffic was still on ${shift.from}`);
  }
  if (shift.created) {
    await ml.online.deleteDeployment(endpoint, shift.to);
    done.push(`deployment ${shift.to} is being removed`);
  }
  return done.join("; ");
}
