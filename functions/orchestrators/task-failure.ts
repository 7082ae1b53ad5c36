/** Longest failure text a run's reason carries: its custom status must stay under the engine's 16 KB. */
const MAX_MESSAGE_CHARS = 1_000;

/**
 * The failing function's own message, from the error durable-functions raises for a failed
 * activity or sub-orchestration. The library joins the engine's Reason and Details with " \n ";
 * the real extension's Reason is "Activity function 'name' failed: <message>" (TaskActivityShim)
 * and its Details a serialised .NET exception of about 2 KB, stack traces and file paths
 * included (test/e2e/engine-divergences.test.ts), which do not belong in what a run reports.
 */
export function taskFailureMessage(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  const reason = text.split(" \n ")[0]!;
  const own = reason.replace(/^(Activity|Orchestrator) function '[^']*' failed: */, "").trim() || reason.trim() || text.trim();
  return own.length > MAX_MESSAGE_CHARS ? `${own.slice(0, MAX_MESSAGE_CHARS)}…` : own;
}
