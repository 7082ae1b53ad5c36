import type { Settings } from "../../shared/config/settings";
import { BesClient } from "../../shared/backends/classic/bes-client";
import { EndpointClient } from "../../shared/backends/classic/endpoint-client";
import { RrsClient } from "../../shared/backends/classic/rrs-client";
import { fetchTransport, withTimeout } from "../../shared/http/transport";
import { instrumentedTransport } from "../../shared/http/instrumented";
import type { Telemetry } from "../../shared/telemetry/telemetry";
import type { ClassicDependencies } from "../activities/classic/dependencies";

/** The Studio (classic) clients, from validated settings; every call is a dependency in telemetry. */
export function classicClients(settings: Settings, telemetry: Telemetry): ClassicDependencies {
  const aml = withTimeout(fetchTransport, settings.AML_REQUEST_TIMEOUT_SECONDS * 1000);
  return {
    bes: new BesClient({
      serviceUrl: `${settings.AML_SERVICES_URL.replace(/\/+$/, "")}/workspaces/${settings.AML_WORKSPACE_ID}/services/${settings.AML_TRAINING_SERVICE_ID}`,
      apiKey: settings.AML_TRAINING_API_KEY,
      transport: instrumentedTransport(aml, telemetry, "AzureML BES"),
    }),
    endpoints: new EndpointClient({
      managementUrl: settings.AML_MANAGEMENT_URL,
      workspaceId: settings.AML_WORKSPACE_ID,
      webServiceId: settings.AML_PREDICTIVE_SERVICE_ID,
      apiKey: settings.AML_MANAGEMENT_API_KEY,
      transport: instrumentedTransport(aml, telemetry, "AzureML Management"),
    }),
    rrs: new RrsClient({ transport: instrumentedTransport(aml, telemetry, "AzureML RRS") }),
  };
}
