import { azureMlConfigFromArgs } from "./config";
import { startAzureMlService } from "./service";
import { redact } from "../../shared/redact";

/** `npm run emulator:azureml`: the local Azure Machine Learning (v2) service, on loopback. */
async function main(): Promise<void> {
  const config = azureMlConfigFromArgs(process.argv.slice(2));
  const log = (line: string) => console.log(`[azureml-service] ${redact(line)}`);
  const svc = await startAzureMlService(config, { log });
  // The token and keys are printed on purpose: they are this local service's own, and the user needs them.
  console.log(
    [
      "Azure Machine Learning (v2) local service is running (state in memory: a restart starts afresh).",
      `  ARM base (AZUREML_ARM_URL):           ${svc.armUrl}`,
      `  Workspace (AZUREML_WORKSPACE_ID):     ${svc.workspaceId}`,
      `  Bearer token (AZUREML_ACCESS_TOKEN):  ${config.armToken}`,
      `  MLflow tracking:                      ${svc.armUrl}/mlflow/v1.0${svc.workspaceId}`,
      ...config.endpoints.flatMap((name) => {
        const e = svc.state.endpoint(name)!;
        return [`  online endpoint "${name}": scoring ${svc.armUrl}/score/${name}, deployment blue at 100 %`, `    key: ${e.keys.primaryKey}`];
      }),
      `  Point the app at it: AZUREML_ENVIRONMENT_ID=${svc.workspaceId}/environments/sklearn/versions/1 and, per endpoint, RETRAIN_ENDPOINT_SETTINGS {"<name>":{"backend":"azureml"}}`,
      "Press Ctrl+C to stop.",
    ].join("\n"),
  );
  const shutdown = () => {
    log("stopping…");
    void svc.stop().then(() => process.exit(0));
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}

main().catch((e: unknown) => {
  console.error(`[azureml-service] failed to start: ${redact((e as Error).message)}`);
  process.exit(1);
});
