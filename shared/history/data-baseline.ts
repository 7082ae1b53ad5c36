import type { ListRunsOptions, RunPage } from "./run-history";

/** What a new run's data is compared with, from the endpoint's history. */
export interface DataBaseline {
  /** The last run that trained to a gate decision (promoted or rejected), and its data's sha256. */
  readonly previous?: { readonly runId: string; readonly sha256: string };
  /** The last promoted run with a data profile: the data the serving model learned from. */
  readonly reference?: string;
}

const PAGE = 25;
/** Skipped and rejected runs pile up between promotions; past this many the search stops. */
const MAX_SCANNED = 500;

/** Reads the endpoint's runs newest first, page by page, until both are found or `MAX_SCANNED` were read. */
export async function dataBaseline(history: { list(o: ListRunsOptions): Promise<RunPage> }, endpoint: string): Promise<DataBaseline> {
  let previous: DataBaseline["previous"];
  let reference: string | undefined;
  let token: string | undefined;
  let scanned = 0;
  do {
    const page = await history.list({ endpoint, limit: PAGE, ...(token ? { continuationToken: token } : {}) });
    for (const r of page.runs) {
      if (!previous && (r.result === "promoted" || r.result === "rejected") && r.dataSha256) previous = { runId: r.runId, sha256: r.dataSha256 };
      if (reference === undefined && r.result === "promoted" && r.profile) reference = r.runId;
    }
    scanned += page.runs.length;
    token = page.continuationToken;
  } while (token && scanned < MAX_SCANNED && !(previous && reference));
  return { ...(previous ? { previous } : {}), ...(reference ? { reference } : {}) };
}
