import type { RunPage, ListRunsOptions } from "./run-history";

/** Runs whose training time says how long this endpoint's jobs take. */
const SAMPLE = 5;
const TRAINED = new Set(["promoted", "rejected", "dry-run"]);

/**
 * How long the endpoint's training jobs took lately: the median of its last finished runs' time
 * until a poll last found the job still running (a lower bound: the recorded training stage also
 * holds how late the end was noticed), else of their training stage, or undefined when there are none (or the history cannot be read: a run never
 * waits on, or fails for, this hint).
 */
export async function expectedTrainingSeconds(history: { list(o: ListRunsOptions): Promise<RunPage> }, endpoint: string): Promise<number | undefined> {
  let page: RunPage;
  try {
    page = await history.list({ endpoint, limit: 20 });
  } catch {
    return undefined;
  }
  const seconds = page.runs
    .map((r) => ({ r, s: r.durationsInSeconds.trainingAtLeast ?? r.durationsInSeconds.training }))
    .filter(({ r, s }) => TRAINED.has(r.result) && typeof s === "number")
    .slice(0, SAMPLE)
    .map(({ s }) => s!)
    .sort((a, b) => a - b);
  if (seconds.length === 0) return undefined;
  const mid = Math.floor(seconds.length / 2);
  return seconds.length % 2 ? seconds[mid] : (seconds[mid - 1]! + seconds[mid]!) / 2;
}
