import { app, type HttpRequest, type HttpResponseInit } from "@azure/functions";
import { appDependencies } from "../app/dependencies";

/**
 * `GET /api/runs?endpoint=&limit=&continuationToken=`: the run history, newest first. Each
 * record's data profile is left out of the list (a page of 500 would carry 500 of them); the
 * record by id has it.
 */
app.http("listRuns", {
  route: "runs",
  methods: ["GET"],
  authLevel: "function",
  handler: async (request: HttpRequest): Promise<HttpResponseInit> => {
    const endpoint = request.query.get("endpoint") ?? undefined;
    const limitText = request.query.get("limit");
    // Digits only: Number() would also take "1e2", "0x10" and " 5".
    const limit = limitText === null ? undefined : /^\d{1,3}$/.test(limitText) ? Number(limitText) : Number.NaN;
    if (limit !== undefined && !(limit >= 1 && limit <= 500)) {
      return { status: 400, jsonBody: { error: `limit must be a whole number from 1 to 500, got "${(limitText ?? "").slice(0, 20)}".` } };
    }
    const continuationToken = request.query.get("continuationToken") ?? undefined;
    try {
      const page = await appDependencies().history.list({ ...(endpoint ? { endpoint } : {}), ...(limit ? { limit } : {}), ...(continuationToken ? { continuationToken } : {}) });
      return { status: 200, jsonBody: { ...page, runs: page.runs.map(({ profile: _profile, ...r }) => r) } };
    } catch (e) {
      if ((e as { code?: string }).code === "InvalidArgument") return { status: 400, jsonBody: { error: (e as Error).message } };
      throw e;
    }
  },
});

/** `GET /api/runs/{runId}`: one run's full record, and its webhook deliveries. */
app.http("getRun", {
  route: "runs/{runId}",
  methods: ["GET"],
  authLevel: "function",
  handler: async (request: HttpRequest): Promise<HttpResponseInit> => {
    const runId = request.params.runId ?? "";
    try {
      const history = appDependencies().history;
      const [run, deliveries] = await Promise.all([history.get(runId), history.deliveries(runId)]);
      // What the webhooks were told, attempt by attempt (functions/activities/notify.ts).
      return run ? { status: 200, jsonBody: { ...run, ...(deliveries.length ? { deliveries } : {}) } } : { status: 404, jsonBody: { error: `No run ${runId} in the history.` } };
    } catch (e) {
      if ((e as { code?: string }).code === "InvalidArgument") return { status: 400, jsonBody: { error: (e as Error).message } };
      throw e;
    }
  },
});
