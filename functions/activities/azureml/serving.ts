import type { AzureMlDependencies } from "./dependencies";
import type { AzureMlModelRef } from "../../../shared/backends/model-ref";
import type { Traffic } from "../../../shared/backends/azureml/online-endpoints-client";

/** The deployment taking all live traffic, or undefined when traffic is split or off. */
export const soleServing = (t: Traffic): string | undefined => Object.entries(t).find(([, v]) => v === 100)?.[0];

/** The model behind an ARM model-version id of this workspace, when it is one. */
export function modelOfId(ml: AzureMlDependencies, id: string | undefined): AzureMlModelRef | undefined {
  const m = id ? /\/models\/([^/]+)\/versions\/([^/]+)$/.exec(id) : null;
  if (!m || !id!.toLowerCase().startsWith(ml.workspace.workspaceId.toLowerCase())) return undefined;
  return { backend: "azureml", name: m[1]!, version: m[2]! };
}

/** What serves the endpoint now: its traffic, the deployment at 100 % and that deployment's model. */
export async function servingOf(ml: AzureMlDependencies, endpoint: string): Promise<{ traffic: Traffic; mirrorTraffic: Traffic; serving?: string; model?: AzureMlModelRef; note?: string }> {
  const e = await ml.online.getEndpoint(endpoint);
  const serving = soleServing(e.traffic);
  if (!serving) return { traffic: e.traffic, mirrorTraffic: e.mirrorTraffic, note: "no single deployment takes all traffic" };
  const model = modelOfId(ml, (await ml.online.getDeployment(endpoint, serving))?.model);
  return { traffic: e.traffic, mirrorTraffic: e.mirrorTraffic, serving, ...(model ? { model } : { note: `deployment ${serving} serves no model version of this workspace` }) };
}
