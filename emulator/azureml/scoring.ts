import type { Router, Request } from "../http/router";
import { bearerKey, keyMatches } from "../auth";
import { TrainingError } from "../training/errors";
import type { Scorer } from "../training/ilearner";
import type { AzureMlContext } from "./context";
import { armError, badRequest } from "./rules";
import type { DeploymentRecord, EndpointRecord } from "./state";

/** A deployment that serves the wrong model (an injected fault): every probability turned around. */
export function wrongScorer(s: Scorer): Scorer {
  return { model: s.model, probability: (valueOf) => 1 - s.probability(valueOf) };
}

/**
 * `POST {scoringUri}` with the endpoint's key: MLflow's `{"input_data":{"columns","data"}}` in,
 * the positive label's probability per row out. `azureml-model-deployment` picks a deployment
 * (even at 0 %, and not mirrored); otherwise the live traffic weights decide, deterministically
 * (request n goes where n mod 100 falls among the weights), and a mirrored share is scored on the
 * mirror too with its answer dropped. The answer names the deployment that served it.
 */
export function scoringRoutes(r: Router, ctx: AzureMlContext): void {
  r.add("POST", "/score/:ep", async (req) => {
    const e = ctx.state.endpoint(req.params.ep!);
    if (!e) throw armError(404, "EndpointNotFound", `No online endpoint ${req.params.ep}.`);
    if (!keyMatches(bearerKey(req.raw), [e.keys.primaryKey, e.keys.secondaryKey])) throw armError(401, "Unauthorized", "The key or token is missing or not valid for this endpoint.");
    const header = req.headers["azureml-model-deployment"];
    const named = typeof header === "string" && header !== "" ? header.toLowerCase() : undefined;
    const n = e.routed++;
    const d = named ? e.deployments.get(named) : byTraffic(e, n);
    if (!d) throw armError(named ? 404 : 503, named ? "DeploymentNotFound" : "NoTraffic", named ? `Endpoint ${e.name} has no deployment ${named}.` : `Endpoint ${e.name} routes no live traffic to any deployment.`);
    if (d.provisioningState !== "Succeeded" || !d.scorer) throw armError(503, "DeploymentNotReady", `Deployment ${d.name} is ${d.provisioningState}.`);
    const rows = await input(req);
    const answer = score(d.scorer, rows);
    d.scored++;
    if (!named) mirror(e, n, rows);
    return { status: 200, headers: { "azureml-model-deployment": d.name }, body: answer };
  });
}

function byTraffic(e: EndpointRecord, n: number): DeploymentRecord | undefined {
  let slot = n % 100;
  for (const [name, weight] of Object.entries(e.traffic)) {
    if (slot < weight) return e.deployments.get(name);
    slot -= weight;
  }
  return undefined;
}

function mirror(e: EndpointRecord, n: number, rows: Table): void {
  for (const [name, percent] of Object.entries(e.mirrorTraffic)) {
    const d = e.deployments.get(name);
    if (!d?.scorer || n % 100 >= percent) continue;
    try {
      score(d.scorer, rows);
      d.mirrored++;
    } catch {
      // a mirror's failure never reaches the caller
    }
  }
}

interface Table {
  readonly columns: readonly string[];
  readonly data: readonly (readonly unknown[])[];
}

async function input(req: Request): Promise<Table> {
  const body = (await req.json()) as { input_data?: { columns?: unknown; data?: unknown } } | null;
  const t = body?.input_data;
  if (!Array.isArray(t?.columns) || !t.columns.every((c) => typeof c === "string")) throw badRequest('The body must be {"input_data":{"columns":[...],"data":[[...]]}}.');
  if (!Array.isArray(t.data) || !t.data.every((row) => Array.isArray(row) && row.length === (t.columns as unknown[]).length)) throw badRequest("input_data.data must be rows with one value per column.");
  return { columns: t.columns, data: t.data as unknown[][] };
}

function score(scorer: Scorer, t: Table): number[] {
  const index = new Map(t.columns.map((c, i) => [c, i]));
  const missing = scorer.model.features.map((f) => f.name).filter((n) => !index.has(n));
  if (missing.length > 0) throw badRequest(`input_data lacks the column(s) ${missing.join(", ")} that the model needs.`);
  return t.data.map((row, r) => {
    try {
      return scorer.probability((name) => {
        const v = row[index.get(name)!];
        if (v === null || v === undefined) return "";
        return typeof v === "string" ? v : typeof v === "number" || typeof v === "boolean" ? String(v) : JSON.stringify(v);
      });
    } catch (e) {
      if (e instanceof TrainingError) throw badRequest(`input_data row ${r + 1}: ${e.message}`);
      throw e;
    }
  });
}
