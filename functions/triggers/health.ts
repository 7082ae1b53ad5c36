import type { ActivityDependencies } from "../activities/dependencies";
import { endpointHealth } from "../../shared/history/endpoint-health";

/** Runs read per endpoint: enough for any streak an alert asks about, one page of the history. */
export const HEALTH_RUNS_READ = 100;

/**
 * Reads each endpoint's run history and states its health as one `EndpointHealth` event; the
 * alert rules read the latest one (infra/monitoring/README.md). An endpoint whose history cannot
 * be read is reported by name and skipped: its silence is what the "reports stopped" rule sees.
 */
export async function reportEndpointHealth(
  d: Pick<ActivityDependencies, "history" | "telemetry">, endpoints: readonly string[], nowMs: number,
): Promise<{ reported: string[]; failed: { endpoint: string; error: string }[] }> {
  const reported: string[] = [];
  const failed: { endpoint: string; error: string }[] = [];
  for (const endpoint of endpoints) {
    try {
      const since = await d.history.watchingSince(endpoint, new Date(nowMs).toISOString());
      const page = await d.history.list({ endpoint, limit: HEALTH_RUNS_READ });
      const h = endpointHealth(endpoint, page.runs, page.continuationToken !== undefined, since, nowMs);
      d.telemetry.event(
        "EndpointHealth",
        { endpoint, lastResult: h.lastResult ?? "none", lastRunAt: h.lastRunAt, lastSuccessAt: h.lastSuccessAt, watchingSince: since },
        { daysSinceLastSuccess: h.daysSinceLastSuccess, daysSinceLastRun: h.daysSinceLastRun, rejectedInARow: h.rejectedInARow, runsRead: h.runsRead },
      );
      reported.push(endpoint);
    } catch (e) {
      failed.push({ endpoint, error: e instanceof Error ? e.message : String(e) });
    }
  }
  return { reported, failed };
}
