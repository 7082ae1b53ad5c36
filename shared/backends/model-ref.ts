/** A classic model: the trained-model blob the management API lists (no SAS: refs go into history). */
export interface ClassicModelRef {
  readonly backend: "classic";
  readonly BaseLocation: string;
  readonly RelativeLocation: string;
}

/** An Azure ML (v2) model version in the workspace registry. */
export interface AzureMlModelRef {
  readonly backend: "azureml";
  readonly name: string;
  readonly version: string;
}

/** A model, tagged by the backend that holds it. */
export type ModelRef = ClassicModelRef | AzureMlModelRef;

/**
 * Where a stored model reference came from: records and histories written before models were
 * tagged hold only `BaseLocation`/`RelativeLocation`, and those are classic. Anything else that
 * is not a reference is undefined.
 */
export function readModelRef(value: unknown): ModelRef | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (v.backend === "azureml") return typeof v.name === "string" && typeof v.version === "string" ? { backend: "azureml", name: v.name, version: v.version } : undefined;
  if ((v.backend === undefined || v.backend === "classic") && typeof v.BaseLocation === "string" && typeof v.RelativeLocation === "string") {
    return { backend: "classic", BaseLocation: v.BaseLocation, RelativeLocation: v.RelativeLocation };
  }
  return undefined;
}

/** The model in a sentence: the blob path (classic) or `name:version` (v2). */
export function describeModel(m: ModelRef): string {
  return m.backend === "azureml" ? `${m.name}:${m.version}` : m.RelativeLocation;
}


/** The same v2 model version (registry names are case-insensitive in Azure ML; versions are not). */
export function sameModel(a: AzureMlModelRef, b: AzureMlModelRef): boolean {
  return a.name.toLowerCase() === b.name.toLowerCase() && a.version === b.version;
}
