import type { JobsClient } from "../../../shared/backends/azureml/jobs-client";
import type { MlflowClient } from "../../../shared/backends/azureml/mlflow-client";
import type { ModelsClient } from "../../../shared/backends/azureml/models-client";
import type { OnlineEndpointsClient } from "../../../shared/backends/azureml/online-endpoints-client";
import type { WorkspaceAddress } from "../../../shared/backends/azureml/workspace";

/** The Azure Machine Learning (v2) clients and the job and deployment shapes the app uses. */
export interface AzureMlDependencies {
  readonly workspace: WorkspaceAddress;
  readonly jobs: Pick<JobsClient, "submit" | "get" | "cancel">;
  readonly mlflow: Pick<MlflowClient, "getRun" | "getMetricHistory">;
  readonly models: Pick<ModelsClient, "register">;
  readonly online: Pick<OnlineEndpointsClient, "getEndpoint" | "setTraffic" | "putDeployment" | "getDeployment" | "deleteDeployment" | "pollOperation" | "listKeys" | "score">;
  readonly options: {
    readonly environmentId: string;
    readonly computeId?: string;
    /** The code asset version the job runs (ARM id); without it the script is in the environment's image. */
    readonly codeId?: string;
    readonly command: string;
    readonly instanceType: string;
    readonly instanceCount: number;
  };
}
