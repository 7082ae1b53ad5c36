import type { RunRef } from "./contracts";

/** The run's telemetry dimensions: every event and metric of a run carries these two. */
export const ref = (r: RunRef) => ({ runId: r.runId, endpoint: r.endpoint });
