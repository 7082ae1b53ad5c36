import * as appInsights from "applicationinsights";
import type { TokenCredential } from "@azure/identity";
import type { DependencyCall, Properties, Telemetry, TelemetryEvent } from "./telemetry";

const strings = (p?: Properties): Record<string, string> =>
  Object.fromEntries(Object.entries(p ?? {}).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)]));

/** Application Insights through the `applicationinsights` 3.x shim; started once per process. */
export class AppInsightsTelemetry implements Telemetry {
  private readonly client: appInsights.TelemetryClient;

  /**
   * @param credential required when the resource has local authentication disabled (as the
   * Bicep deploys it): the exporter then signs in with the app's managed identity.
   */
  constructor(connectionString: string, credential?: TokenCredential) {
    if (!appInsights.defaultClient) {
      appInsights.setup(connectionString).setAutoCollectConsole(false);
      const client = appInsights.defaultClient as appInsights.TelemetryClient;
      if (credential) client.config.aadTokenCredential = credential;
      appInsights.start();
    }
    this.client = appInsights.defaultClient;
  }

  event(name: TelemetryEvent, properties: Properties, measurements?: Readonly<Record<string, number>>): void {
    this.client.trackEvent({ name, properties: strings(properties), measurements: { ...measurements } });
  }
  metric(name: string, value: number, properties?: Properties): void {
    this.client.trackMetric({ name, value, properties: strings(properties) });
  }
  dependency(call: DependencyCall): void {
    this.client.trackDependency({
      dependencyTypeName: call.type, name: call.name, data: call.target, target: new URL(call.target).host,
      duration: call.durationInMs, resultCode: call.resultCode, success: call.success,
    });
  }
  trace(message: string, properties?: Properties): void {
    this.client.trackTrace({ message, properties: strings(properties) });
  }
}

/** Without a connection string telemetry goes to the log only (local runs, tests). */
export class LogTelemetry implements Telemetry {
  constructor(private readonly log: (line: string) => void) {}
  event(name: TelemetryEvent, properties: Properties, measurements?: Readonly<Record<string, number>>): void {
    this.log(`[event] ${name} ${JSON.stringify({ ...properties, ...measurements })}`);
  }
  metric(name: string, value: number, properties?: Properties): void {
    this.log(`[metric] ${name}=${value} ${JSON.stringify(properties ?? {})}`);
  }
  dependency(): void {
    // dependencies are too chatty for a console; Application Insights keeps them
  }
  trace(message: string, properties?: Properties): void {
    this.log(`[trace] ${message}${properties ? ` ${JSON.stringify(properties)}` : ""}`);
  }
}
