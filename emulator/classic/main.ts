import { loadConfig } from "./config";
import { startEmulator } from "./emulator";
import { redact } from "../../shared/redact";
import { PREDICTIVE_SERVICE_NAME, TRAINING_SERVICE_NAME } from "./workspace";

/** `npm run emulator`: the local Azure ML Studio (classic) service, on loopback. */
async function main(): Promise<void> {
  const config = loadConfig(process.env, process.argv.slice(2));
  const log = (line: string) => console.log(`[aml-emulator] ${redact(line)}`);
  log(config.storageConnectionString ? "using the given storage account" : "starting Azurite…");
  const emulator = await startEmulator(config, { log });
  const ws = `workspaces/${config.workspaceId}`;
  // Keys are printed on purpose: they are this local service's own, and the user needs them.
  console.log(
    [
      "Azure ML Studio (classic) emulator is running.",
      `  BES / RRS base:      ${emulator.servicesUrl}`,
      `  Management API base: ${emulator.managementUrl}`,
      `  Workspace id:        ${config.workspaceId}`,
      `  Training service:    "${TRAINING_SERVICE_NAME}" ${config.trainingServiceId}`,
      `    BES jobs URL:      ${emulator.servicesUrl}/${ws}/services/${config.trainingServiceId}/jobs?api-version=2.0`,
      `    API key:           ${config.trainingApiKey}`,
      `  Predictive service:  "${PREDICTIVE_SERVICE_NAME}" ${config.predictiveServiceId}`,
      `    Endpoints:         ${emulator.managementUrl}/${ws}/webservices/${config.predictiveServiceId}/endpoints`,
      ...emulator.endpoints().flatMap((e) => [`    endpoint "${e.name}": RRS ${e.apiLocation}/execute?api-version=2.0&details=true`, `      key: ${e.primaryKey}`]),
      `  Management token:    ${config.managementToken}`,
      `  Storage:             ${redact(emulator.storageConnectionString)}`,
      "Press Ctrl+C to stop.",
    ].join("\n"),
  );
  const shutdown = () => {
    log("stopping…");
    void emulator.stop().then(() => process.exit(0));
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}

main().catch((e: unknown) => {
  console.error(`[aml-emulator] failed to start: ${redact((e as Error).message)}`);
  process.exit(1);
});
