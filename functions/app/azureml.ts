import { DefaultAzureCredential, type TokenCredential } from "@azure/identity";
import type { Settings } from "../../shared/config/settings";
import { JobsClient } from "../../shared/backends/azureml/jobs-client";
import { MlflowClient } from "../../shared/backends/azureml/mlflow-client";
import { ModelsClient } from "../../shared/backends/azureml/models-client";
import { OnlineEndpointsClient } from "../../shared/backends/azureml/online-endpoints-client";
import { fetchTransport, withTimeout } from "../../shared/http/transport";
import { instrumentedTransport } from "../../shared/http/instrumented";
import type { Telemetry } from "../../shared/telemetry/telemetry";
import type { AzureMlDependencies } from "../activities/azureml/dependencies";

/**
 * The Azure ML (v2) clients, when a workspace is configured. In Azure the app's managed identity
 * signs in (DefaultAzureCredential); against the local service, its fixed token (settings refuse
 * that token for anything but a loopback ARM URL).
 */
export function azureMlClients(settings: Settings, telemetry: Telemetry): AzureMlDependencies | undefined {
  if (!settings.AZUREML_WORKSPACE_ID || !settings.AZUREML_ENVIRONMENT_ID) return undefined;
  const token = settings.AZUREML_ACCESS_TOKEN;
  const credential: TokenCredential = token
    ? { getToken: () => Promise.resolve({ token, expiresOnTimestamp: Date.now() + 60 * 60_000 }) }
    : new DefaultAzureCredential();
  const transport = instrumentedTransport(withTimeout(fetchTransport, settings.AML_REQUEST_TIMEOUT_SECONDS * 1000), telemetry, "AzureML v2");
  const o = { workspace: { armUrl: settings.AZUREML_ARM_URL, workspaceId: settings.AZUREML_WORKSPACE_ID }, credential, transport };
  return {
    workspace: o.workspace,
    jobs: new JobsClient(o),
    mlflow: new MlflowClient(o),
    models: new ModelsClient(o),
    online: new OnlineEndpointsClient(o),
    options: {
      environmentId: settings.AZUREML_ENVIRONMENT_ID,
      ...(settings.AZUREML_COMPUTE_ID ? { computeId: settings.AZUREML_COMPUTE_ID } : {}),
      ...(settings.AZUREML_CODE_ID ? { codeId: settings.AZUREML_CODE_ID } : {}),
      command: settings.AZUREML_TRAINING_COMMAND,
      instanceType: settings.AZUREML_INSTANCE_TYPE,
      instanceCount: settings.AZUREML_INSTANCE_COUNT,
    },
  };
}
