import type { ActivityDependencies } from "../dependencies";
import { ResultReadError, type ResultHandle } from "../../../shared/storage/result-reader";
import type { BlobLocation, ModelLocation } from "../../../shared/backends/classic/types";
import type { ClassicModelRef } from "../../../shared/backends/model-ref";

export const slash = (s: string) => (s.endsWith("/") ? s : `${s}/`);

export function readerOptions(d: ActivityDependencies) {
  return { refreshMarginInMs: d.options.sasRefreshMarginInMs, now: d.now, ...(d.resultTransport ? { transport: d.resultTransport } : {}) };
}

/** Only models in the run storage account can be signed for: we hold no credential elsewhere. */
export const inRunStorage = (d: ActivityDependencies, l: ModelLocation) => slash(l.BaseLocation) === slash(d.runStorage.blobEndpoint);

/** A classic location as a tagged model reference (no SAS token: references go into history). */
export const classicRef = (l: ModelLocation): ClassicModelRef => ({ backend: "classic", BaseLocation: l.BaseLocation, RelativeLocation: l.RelativeLocation });

/** `container/path/to/blob` split into its container and blob name. */
export function blobParts(l: ModelLocation): { container: string; blob: string } {
  const [container, ...rest] = l.RelativeLocation.split("/");
  return { container: container!, blob: rest.join("/") };
}

/** A model location the ML service can read: the location with a fresh read-only SAS. */
export async function readableModel(d: ActivityDependencies, l: ModelLocation, expiresOn: Date): Promise<BlobLocation> {
  const { container, blob } = blobParts(l);
  return { BaseLocation: l.BaseLocation, RelativeLocation: l.RelativeLocation, SasBlobToken: await d.signer.sign(container, blob, "r", expiresOn) };
}

/**
 * The endpoint's current model as a readable URL for the training job. Only a model in the run
 * storage account can be signed for; elsewhere (e.g. the service's own seed model) the run goes
 * on without a champion, and says why.
 */
export async function championOf(d: ActivityDependencies, endpoint: string, expiresOn: Date): Promise<{ url?: string; location?: ClassicModelRef; note?: string }> {
  const current = (await d.endpoints.getEndpoint(endpoint)).resources.find((r) => r.name === d.options.trainedModelResource)?.location;
  if (!current) return { note: "the endpoint lists no trained model" };
  const location = classicRef(current);
  if (!inRunStorage(d, current)) return { location, note: "the serving model is outside the run storage account, so it cannot be read" };
  const { SasBlobToken } = await readableModel(d, current, expiresOn);
  return { url: `${slash(current.BaseLocation)}${current.RelativeLocation}${SasBlobToken}`, location };
}

/** A job output's location as the job reports it now; `refresh` re-reads the job for fresh tokens. */
export async function resultHandle(d: ActivityDependencies, jobId: string, output: "output1" | "output2"): Promise<ResultHandle> {
  const read = async (): Promise<BlobLocation> => {
    const s = await d.bes.getJob(jobId);
    const r = s.results[output];
    if (s.state !== "Finished" || !r) throw new ResultReadError(`job ${jobId} reports no ${output} (state ${s.state})`, { operation: "read result", code: "NoResult", retryable: false });
    return r;
  };
  return { location: await read(), refresh: read };
}

