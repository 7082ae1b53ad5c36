/** Everything the local Azure ML (v2) service can be told; each value has a default that works out of the box. */
export interface AzureMlServiceConfig {
  readonly host: string;
  /** ARM, MLflow and scoring on one loopback port; 0 picks a free one. */
  readonly port: number;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly workspaceName: string;
  readonly region: string;
  /** The bearer token the service accepts on ARM and MLflow calls (what the app's credential is issued locally). */
  readonly armToken: string;
  /** Online endpoints present at first start, each with a `blue` deployment of a seed model taking 100 %. */
  readonly endpoints: readonly string[];
  /** How long a deployment takes to provision, and an endpoint update to apply. */
  readonly provisioningDelayInMs: number;
  readonly updateDelayInMs: number;
  /** Jobs running at once; later ones wait `Queued`. */
  readonly maxConcurrentJobs: number;
  readonly maxRequestBodyBytes: number;
}

export const DEFAULT_AZUREML_CONFIG: AzureMlServiceConfig = {
  host: "127.0.0.1",
  port: 0,
  subscriptionId: "00000000-0000-0000-0000-000000000001",
  resourceGroup: "rg-retrainer-local",
  workspaceName: "ws-retrainer-local",
  region: "localregion",
  armToken: "local-arm-token-change-me",
  endpoints: ["census-v2"],
  provisioningDelayInMs: 2_000,
  updateDelayInMs: 500,
  maxConcurrentJobs: 2,
  maxRequestBodyBytes: 4 * 1024 * 1024,
};

export const workspaceIdOf = (c: AzureMlServiceConfig) =>
  `/subscriptions/${c.subscriptionId}/resourceGroups/${c.resourceGroup}/providers/Microsoft.MachineLearningServices/workspaces/${c.workspaceName}`;
