import type * as df from "durable-functions";
import type { HttpRequest, HttpResponseInit } from "@azure/functions";
import { runLinks, type RunAction } from "../../shared/notify/events";

/**
 * The 202 of a started run: Durable's own management links (as `createCheckStatusResponse`
 * gives them, with its Location and Retry-After headers), plus the run id and the app's own
 * links for this run, each carrying that id, so whatever a caller does next from this answer
 * lands on this run or is refused.
 */
export async function runStartedResponse(request: HttpRequest, client: df.DurableClient, instanceId: string, runId: string, actions: readonly RunAction[]): Promise<HttpResponseInit> {
  const check = client.createCheckStatusResponse(request, instanceId);
  const payload = (await check.json()) as Record<string, string>;
  return {
    status: 202,
    headers: { "Content-Type": "application/json", ...(payload.statusQueryGetUri ? { Location: payload.statusQueryGetUri } : {}), "Retry-After": "10" },
    jsonBody: { ...payload, runId, links: runLinks(new URL(request.url).origin, instanceId, runId, actions) },
  };
}
