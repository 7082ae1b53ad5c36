/**
 * Where one Azure ML workspace lives on ARM: every v2 client addresses calls from here.
 * `https://management.azure.com/subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.MachineLearningServices/workspaces/{w}`.
 */
export interface WorkspaceAddress {
  /** ARM's base URL: https://management.azure.com (locally, the stand-in's). */
  readonly armUrl: string;
  /** `/subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.MachineLearningServices/workspaces/{w}` */
  readonly workspaceId: string;
}

const WORKSPACE_ID = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.MachineLearningServices\/workspaces\/[^/]+$/i;

/** Why `id` is not a workspace's ARM resource id, or undefined when it is. */
export function badWorkspaceId(id: string): string | undefined {
  return WORKSPACE_ID.test(id) ? undefined : "must be a workspace's resource id: /subscriptions/{id}/resourceGroups/{group}/providers/Microsoft.MachineLearningServices/workspaces/{name}";
}

export const workspaceUrl = (w: WorkspaceAddress): string => `${w.armUrl.replace(/\/+$/, "")}${w.workspaceId}`;

/** The ARM resource id of a model version, as a deployment names its model. */
export const modelVersionId = (w: WorkspaceAddress, name: string, version: string): string => `${w.workspaceId}/models/${name}/versions/${version}`;

const CODE_VERSION_ID = /^(?:azureml:)?(\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.MachineLearningServices\/workspaces\/[^/]+)\/codes\/[^/]+\/versions\/[^/]+$/i;

/**
 * A code asset version as a command job's `codeId` takes it: its ARM resource id (the REST spec's
 * "ARM resource ID of the code asset"). Also read in the `azureml:/subscriptions/…` form that
 * `az ml job show --query code` prints; the prefix is dropped.
 */
export function parseCodeVersionId(text: string): { readonly id: string; readonly workspaceId: string } | { readonly problem: string } {
  const m = CODE_VERSION_ID.exec(text.trim());
  if (!m) return { problem: "must be a code asset version's resource id: /subscriptions/{id}/resourceGroups/{group}/providers/Microsoft.MachineLearningServices/workspaces/{name}/codes/{code}/versions/{version} (with or without azureml: before it)" };
  return { id: text.trim().replace(/^azureml:/i, ""), workspaceId: m[1]! };
}
