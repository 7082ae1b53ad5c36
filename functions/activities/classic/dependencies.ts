import type { BesClient } from "../../../shared/backends/classic/bes-client";
import type { EndpointClient } from "../../../shared/backends/classic/endpoint-client";
import type { RrsClient } from "../../../shared/backends/classic/rrs-client";

/** The Studio (classic) clients the classic activities use. */
export interface ClassicDependencies {
  /** The training web service's Batch Execution Service. */
  readonly bes: Pick<BesClient, "submitJob" | "startJob" | "getJob" | "cancelJob">;
  /** The predictive web service's endpoints (read, Update Resource). */
  readonly endpoints: Pick<EndpointClient, "getEndpoint" | "updateResource">;
  /** Request-Response scoring, for the canary. */
  readonly rrs: Pick<RrsClient, "score">;
}
