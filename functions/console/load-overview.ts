import type * as df from "durable-functions";
import type { AppHistory } from "../app/dependencies";
import type { EndpointSummary } from "../../shared/history/endpoint-summary";
import { activeRuns, type ActiveRun } from "./active-runs";

/** Overview rows recounted per view when missing, and how many at once. */
const BACKFILL_PER_VIEW = 20;
const BACKFILL_AT_ONCE = 4;

/**
 * What the overview shows, read once for the console's page and for `GET /api/endpoints`: every
 * endpoint's summary row and the runs in progress (two reads at once). Endpoints whose runs were
 * recorded before summaries existed get theirs here, a few per view: a first view after an upgrade
 * must not read every endpoint's runs at once (200 endpoints measured 11.6 s and 173 MiB in
 * bench/console.ts). The rest have no row yet ("not counted yet").
 */
export async function loadOverview(client: df.DurableClient, history: Pick<AppHistory, "summaries" | "refreshSummary">, endpoints: readonly string[]): Promise<{ summaries: EndpointSummary[]; active: ActiveRun[] }> {
  const [summaries, active] = await Promise.all([history.summaries(), activeRuns(client)]);
  const known = new Set(summaries.map((x) => x.endpoint.toLowerCase()));
  const missing = endpoints.filter((e) => !known.has(e.toLowerCase())).slice(0, BACKFILL_PER_VIEW);
  const filled: EndpointSummary[] = [];
  for (let i = 0; i < missing.length; i += BACKFILL_AT_ONCE) filled.push(...(await Promise.all(missing.slice(i, i + BACKFILL_AT_ONCE).map((e) => history.refreshSummary(e)))));
  return { summaries: [...summaries, ...filled], active };
}
