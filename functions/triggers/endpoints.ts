import * as df from "durable-functions";
import type { HttpRequest, HttpResponseInit } from "@azure/functions";
import { appDependencies, appSettings } from "../app/dependencies";
import { backendOf, type Settings } from "../../shared/config/settings";
import { DEFAULT_BACKEND, type Backend } from "../../shared/backends/backend";
import { daysSinceSuccess, type EndpointSummary, type RunBrief } from "../../shared/history/endpoint-summary";
import type { RunStage } from "../orchestrators/run-input";
import { activeRuns, type ActiveRun } from "../console/active-runs";
import { loadOverview } from "../console/load-overview";
import { nextTick } from "../console/overview";

/** A run of the endpoint in progress, as its orchestration shows it (the history records a run when it ends). */
export interface EndpointActiveRun {
  readonly runId: string;
  readonly instanceId: string;
  /** Durable's runtime status: Running or Pending. */
  readonly runtimeStatus: string;
  readonly stage?: RunStage;
  readonly startedAt: string;
  readonly awaitingApproval: boolean;
  /** When a run waiting for a person is rejected unless someone decides. */
  readonly approvalDeadline?: string;
}

/**
 * One endpoint as the console's overview shows it: `GET /api/endpoints` lists these (in
 * `endpoints`), `GET /api/endpoints/{name}` answers one. Everything but `name`, `configured`,
 * `backend`, `schedule`, `counted` and `active` is absent when not known.
 */
export interface EndpointView {
  readonly name: string;
  /** False for an endpoint the run history knows but the settings no longer name. */
  readonly configured: boolean;
  readonly backend: Backend;
  /** False while the endpoint's overview row has not been counted yet (it is on a later read). */
  readonly counted: boolean;
  /** What serves now as far as the history knows: the model, since when, the run that put it there, who approved it. */
  readonly serving?: EndpointSummary["serving"];
  /** The newest recorded run: id, result, trigger, reason, start and end. */
  readonly lastRun?: RunBrief;
  /** The schedule (NCRONTAB, UTC) and its next firing: every endpoint runs on it. */
  readonly schedule: string;
  readonly nextScheduledRun?: string;
  /** Days since the last promoted or rejected run, two decimals (the number the alerts use). */
  readonly daysSinceSuccess?: number;
  /** Finished retraining runs rejected in a row, newest first. */
  readonly rejectedInARow?: number;
  readonly active: readonly EndpointActiveRun[];
}

/** `GET /api/endpoints`. */
export interface EndpointList {
  readonly endpoints: readonly EndpointView[];
}

type ViewSettings = Pick<Settings, "RETRAIN_ENDPOINTS" | "RETRAIN_SCHEDULE" | "RETRAIN_ENDPOINT_SETTINGS">;

function activeView(a: ActiveRun): EndpointActiveRun {
  const awaiting = a.custom.stage === "awaiting-approval";
  return {
    runId: a.runId, instanceId: a.instanceId, runtimeStatus: a.runtimeStatus, ...(a.custom.stage ? { stage: a.custom.stage } : {}), startedAt: a.createdTime,
    awaitingApproval: awaiting, ...(awaiting && a.custom.approval?.deadline ? { approvalDeadline: a.custom.approval.deadline } : {}),
  };
}

/** The overview's row of one endpoint, as data. */
export function endpointView(name: string, configured: boolean, summary: EndpointSummary | undefined, active: readonly ActiveRun[], settings: ViewSettings, nowInMs: number): EndpointView {
  const next = nextTick(settings.RETRAIN_SCHEDULE, nowInMs);
  const days = summary ? daysSinceSuccess(summary, nowInMs) : undefined;
  return {
    name, configured, backend: configured ? backendOf(settings, name) : (summary?.backend ?? DEFAULT_BACKEND), counted: summary !== undefined,
    ...(summary?.serving ? { serving: summary.serving } : {}), ...(summary?.lastRun ? { lastRun: summary.lastRun } : {}),
    schedule: settings.RETRAIN_SCHEDULE, ...(next ? { nextScheduledRun: next } : {}),
    ...(days !== undefined ? { daysSinceSuccess: days } : {}), ...(summary ? { rejectedInARow: summary.health.rejectedInARow } : {}),
    active: active.filter((a) => a.endpoint.toLowerCase() === name.toLowerCase()).map(activeView),
  };
}

/** Configured endpoints in the settings' order, then those only the history knows. */
export function endpointViews(summaries: readonly EndpointSummary[], active: readonly ActiveRun[], settings: ViewSettings, nowInMs: number): EndpointView[] {
  const byName = new Map(summaries.map((s) => [s.endpoint.toLowerCase(), s]));
  const known = new Set(settings.RETRAIN_ENDPOINTS.map((e) => e.toLowerCase()));
  return [
    ...settings.RETRAIN_ENDPOINTS.map((e) => endpointView(e, true, byName.get(e.toLowerCase()), active, settings, nowInMs)),
    ...summaries.filter((s) => !known.has(s.endpoint.toLowerCase())).map((s) => endpointView(s.endpoint, false, s, active, settings, nowInMs)),
  ];
}

/** `GET /api/endpoints`: every endpoint as the console's overview shows it (the same loader). */
df.app.client.http("listEndpoints", {
  route: "endpoints",
  methods: ["GET"],
  authLevel: "function",
  handler: async (_request: HttpRequest, client: df.DurableClient): Promise<HttpResponseInit> => {
    const settings = appSettings();
    const { summaries, active } = await loadOverview(client, appDependencies().history, settings.RETRAIN_ENDPOINTS);
    return { status: 200, jsonBody: { endpoints: endpointViews(summaries, active, settings, Date.now()) } satisfies EndpointList };
  },
});

/** `GET /api/endpoints/{name}`: one endpoint (name case-insensitive); 404 naming it when neither the settings nor the history know it. */
df.app.client.http("getEndpoint", {
  route: "endpoints/{name}",
  methods: ["GET"],
  authLevel: "function",
  handler: async (request: HttpRequest, client: df.DurableClient): Promise<HttpResponseInit> => {
    const settings = appSettings();
    const name = request.params.name ?? "";
    const history = appDependencies().history;
    const configured = settings.RETRAIN_ENDPOINTS.find((e) => e.toLowerCase() === name.toLowerCase());
    let summary: EndpointSummary | undefined;
    try {
      summary = await history.summary(configured ?? name);
    } catch (e) {
      // A name the history cannot hold as a key is no endpoint it knows.
      if ((e as { code?: string }).code !== "InvalidArgument") throw e;
    }
    if (!configured && !summary) {
      return { status: 404, jsonBody: { error: `No endpoint "${name.slice(0, 100)}": it is not configured (${settings.RETRAIN_ENDPOINTS.join(", ")}) and no run of it is recorded.` } };
    }
    // A configured endpoint with no row yet is counted now (one query), as the overview's backfill does.
    if (!summary && configured) summary = await history.refreshSummary(configured);
    const active = await activeRuns(client);
    return { status: 200, jsonBody: endpointView(configured ?? summary!.endpoint, configured !== undefined, summary, active, settings, Date.now()) satisfies EndpointView };
  },
});
