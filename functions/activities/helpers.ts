import type { ActivityDependencies } from "./dependencies";
import type * as C from "./contracts";
import { ResultReadError, type ResultHandle } from "../../shared/storage/result-reader";
import type { BlobLocation } from "../../shared/aml/types";

export const ref = (r: C.RunRef) => ({ runId: r.runId, endpoint: r.endpoint });
export const slash = (s: string) => (s.endsWith("/") ? s : `${s}/`);

export function readerOptions(d: ActivityDependencies) {
  return { refreshMarginInMs: d.options.sasRefreshMarginInMs, now: d.now, ...(d.resultTransport ? { transport: d.resultTransport } : {}) };
}

/**
 * The endpoint's current model as a readable URL for the training job. Only a model in the run
 * storage account can be signed for; elsewhere (e.g. the service's own seed model) the run goes
 * on without a champion, and says why.
 */
export async function championOf(d: ActivityDependencies, endpoint: string, expiresOn: Date): Promise<{ url?: string; location?: C.ModelLocation; note?: string }> {
  const current = (await d.endpoints.getEndpoint(endpoint)).resources.find((r) => r.name === d.options.trainedModelResource)?.location;
  if (!current) return { note: "the endpoint lists no trained model" };
  if (slash(current.BaseLocation) !== slash(d.runStorage.blobEndpoint)) return { location: current, note: "the serving model is outside the run storage account, so it cannot be read" };
  const [container, ...rest] = current.RelativeLocation.split("/");
  const token = await d.signer.sign(container!, rest.join("/"), "r", expiresOn);
  return { url: `${slash(current.BaseLocation)}${current.RelativeLocation}${token}`, location: current };
}

/** A job output's location as the job reports it now; `refresh` re-reads the job for fresh tokens. */
export async function resultHandle(d: ActivityDependencies, jobId: string, output: "output1" | "output2"): Promise<ResultHandle> {
  const read = async (): Promise<BlobLocation> => {
    const s = await d.bes.getJob(jobId);
    const r = s.results[output];
    if (s.state !== "Finished" || !r) throw new ResultReadError(`job ${jobId} reports no ${output} (state ${s.state})`, undefined, false);
    return r;
  };
  return { location: await read(), refresh: read };
}

