import type { AsyncOperation } from "../../../shared/backends/azureml/async-operation";
import type { Traffic } from "../../../shared/backends/azureml/online-endpoints-client";
import type { AzureMlModelRef } from "../../../shared/backends/model-ref";
import type { RunRef } from "../contracts";

/** Inputs and results of the v2 rollout's activities; no key or token ever appears here. */
export interface RegisterInput extends RunRef {
  readonly jobId: string;
}
export interface EndpointState {
  readonly traffic: Traffic;
  readonly mirrorTraffic: Traffic;
  /** The deployment taking all live traffic, when one does. */
  readonly serving?: string;
  /** The model `serving` runs, when it is one of this workspace's versions. */
  readonly servingModel?: AzureMlModelRef;
}
export interface DeploymentInput extends RunRef {
  readonly deployment: string;
}
export interface CreateDeploymentInput extends DeploymentInput {
  readonly model: AzureMlModelRef;
}
export interface OperationInput extends RunRef {
  /** What the operation is doing, for the reason when it fails. */
  readonly what: string;
  readonly operation: AsyncOperation;
}
export interface TrafficInput extends RunRef {
  readonly traffic: Traffic;
  readonly mirrorTraffic?: Traffic;
}
export interface ProbeInput extends RunRef {
  /** The job whose logged probe scores are the expected answers. */
  readonly jobId: string;
  /** `champion`: the scores that job logged for the serving model it was given (a rollback's target). */
  readonly scoresOf?: "challenger" | "champion";
  /** The run whose staged probe rows the job scored (default: this run). */
  readonly rowsOf?: string;
  /** Score through this deployment's header; without it, as any caller is routed. */
  readonly deployment?: string;
}
export interface ProbeResult {
  readonly matched: boolean;
  readonly summary: string;
  /** There was nothing to compare with (no logged scores, or the probe rows are gone): not a mismatch. */
  readonly unavailable?: true;
}
export type DeploymentState =
  | { readonly exists: false }
  | { readonly exists: true; readonly provisioningState: string; readonly model?: AzureMlModelRef };
