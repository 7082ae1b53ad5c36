import { startAzureMlService, type RunningAzureMlService } from "../../emulator/azureml/service";
import type { AzureMlServiceConfig } from "../../emulator/azureml/config";
import { startHostedPipeline, type HostedPipeline } from "./host";

/** A local Azure ML (v2) service on a free port, fast to provision, and the app settings that point at it. */
export async function startTestAzureMl(overrides: Partial<AzureMlServiceConfig> = {}): Promise<{ svc: RunningAzureMlService; settings(endpoint: string, over?: Record<string, string>): Record<string, string> }> {
  const svc = await startAzureMlService({ provisioningDelayInMs: 300, updateDelayInMs: 100, ...overrides });
  return {
    svc,
    settings: (endpoint, over = {}) => ({
      AZUREML_WORKSPACE_ID: svc.workspaceId,
      AZUREML_ARM_URL: svc.armUrl,
      AZUREML_ACCESS_TOKEN: svc.config.armToken,
      AZUREML_ENVIRONMENT_ID: `${svc.workspaceId}/environments/sklearn/versions/1`,
      AZUREML_STEP_WAIT_SECONDS: "20",
      RETRAIN_ENDPOINTS: `retrain,${endpoint}`,
      RETRAIN_ENDPOINT_SETTINGS: JSON.stringify({ [endpoint]: { backend: "azureml", gate: "auc>=0.8; auc>=champion-0.05" } }),
      ...over,
    }),
  };
}

/**
 * The product through the local host (on the suite's engine) with a v2 endpoint on a local v2
 * service. `over` may be made from the service's workspace id, for settings that name its assets.
 */
export async function startV2Pipeline(endpoint: string, over: Record<string, string> | ((workspaceId: string) => Record<string, string>) = {}, speed?: number): Promise<{ p: HostedPipeline; svc: RunningAzureMlService; stop: () => Promise<void> }> {
  const ml = await startTestAzureMl();
  try {
    const settings = ml.settings(endpoint, typeof over === "function" ? over(ml.svc.workspaceId) : over);
    const p = await startHostedPipeline({ settings, ...(speed !== undefined ? { speed } : {}) });
    return { p, svc: ml.svc, stop: async () => (await p.stop(), await ml.svc.stop()) };
  } catch (e) {
    await ml.svc.stop();
    throw e;
  }
}
