import { redactValues } from "../redact";
import { plainText } from "../text/safe-text";

/** The stage events of a run, as operators find them in Application Insights. */
export type RunEvent =
  | "RetrainStarted" | "DataStaged" | "DataChecked" | "DataRejected" | "JobSubmitted" | "JobFinished" | "JobFailed"
  | "GatePassed" | "GateRejected" | "ModelPromoted" | "PromotionVerified" | "VerificationFailed" | "ModelRolledBack"
  | "RetrainCompleted" | "RetrainFailed";

/** A v2 promotion's steps: the model version, each deployment change, each traffic step and its probe. */
export type RolloutEvent = "ModelRegistered" | "DeploymentCreating" | "DeploymentDeleting" | "TrafficSet" | "ProbeMatched" | "ProbeMismatched";

/** Not a run's: the hourly statement of each endpoint's health that the alert rules read. */
export type HealthEvent = "EndpointHealth";

/** New data in an endpoint's data location: each arrival, and a watcher that stopped waiting for a busy endpoint. */
export type DataEvent = "NewDataArrived" | "NewDataWaiting" | "UploadAuthorized";

/** A webhook told (or, after its last attempt, not told) about a run. */
export type NotificationEvent = "NotificationDelivered" | "NotificationFailed";

export type TelemetryEvent = RunEvent | RolloutEvent | HealthEvent | DataEvent | NotificationEvent;

export type Properties = Readonly<Record<string, string | number | boolean | undefined>>;

export interface DependencyCall {
  readonly type: "AzureML BES" | "AzureML Management" | "AzureML RRS" | "AzureML v2" | "Azure Blob";
  readonly name: string;
  /** The URL without its query string. */
  readonly target: string;
  readonly durationInMs: number;
  readonly resultCode: number | string;
  readonly success: boolean;
}

/** What the product emits; tests hand in a recording fake, Azure gets Application Insights. */
export interface Telemetry {
  event(name: TelemetryEvent, properties: Properties, measurements?: Readonly<Record<string, number>>): void;
  metric(name: string, value: number, properties?: Properties): void;
  dependency(call: DependencyCall): void;
  trace(message: string, properties?: Properties): void;
}

/** Longest property value and trace message telemetry carries (Application Insights keeps 8,192 and 32,768). */
const PROPERTY_CHARS = 8_192;
const TRACE_CHARS = 32_768;
const NAME_CHARS = 150;

/**
 * Every string that leaves through telemetry is redacted here, once, whatever the caller passed,
 * then made one printable, bounded line: values carry outside text (column and blob names, job
 * failure details, comments) that must not forge a line or hide text with bidi controls in a
 * log view. Redaction first, so a cut never leaves part of a secret.
 */
export function redactingTelemetry(inner: Telemetry, secrets: readonly string[]): Telemetry {
  const text = (v: string, max: number) => plainText(redactValues(v, secrets), max);
  const clean = (p?: Properties): Properties | undefined =>
    p && Object.fromEntries(Object.entries(p).map(([k, v]) => [plainText(k, NAME_CHARS), typeof v === "string" ? text(v, PROPERTY_CHARS) : v]));
  const measured = (m?: Readonly<Record<string, number>>) => m && Object.fromEntries(Object.entries(m).filter(([, v]) => Number.isFinite(v)).map(([k, v]) => [plainText(k, NAME_CHARS), v]));
  return {
    event: (name, properties, measurements) => inner.event(name, clean(properties)!, measured(measurements)),
    // A value that is no number means nothing on a chart: it is not sent.
    metric: (name, value, properties) => (Number.isFinite(value) ? inner.metric(plainText(name, NAME_CHARS), value, clean(properties)) : undefined),
    dependency: (call) => inner.dependency({ ...call, name: text(call.name, PROPERTY_CHARS), target: text(call.target, PROPERTY_CHARS) }),
    trace: (message, properties) => inner.trace(text(message, TRACE_CHARS), clean(properties)),
  };
}

/** Keeps everything in memory: for tests, and for the local host's run summary. */
export class MemoryTelemetry implements Telemetry {
  readonly events: { name: TelemetryEvent; properties: Properties; measurements?: Readonly<Record<string, number>> }[] = [];
  readonly metrics: { name: string; value: number; properties?: Properties }[] = [];
  readonly dependencies: DependencyCall[] = [];
  readonly traces: { message: string; properties?: Properties }[] = [];
  event(name: TelemetryEvent, properties: Properties, measurements?: Readonly<Record<string, number>>): void {
    this.events.push({ name, properties, measurements });
  }
  metric(name: string, value: number, properties?: Properties): void {
    this.metrics.push({ name, value, properties });
  }
  dependency(call: DependencyCall): void {
    this.dependencies.push(call);
  }
  trace(message: string, properties?: Properties): void {
    this.traces.push({ message, properties });
  }
}
