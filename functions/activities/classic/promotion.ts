import type { ActivityDependencies } from "../dependencies";
import type * as C from "../contracts";
import { ACTIVITY } from "../names";
import { toOutcome } from "../outcome";
import { ref } from "../ref";
import { blobParts, classicRef, inRunStorage, readableModel, readerOptions, resultHandle, slash } from "./helpers";
import { freshLocation, readResult } from "../../../shared/storage/result-reader";
import { compareCanary, parseScoredProbe } from "../../../shared/evaluation/canary";
import { isAmlServiceError } from "../../../shared/backends/classic/aml-error";
import type { BlobLocation, EndpointInfo, ModelLocation } from "../../../shared/backends/classic/types";
import { describeModel, readModelRef, type ClassicModelRef, type ModelRef } from "../../../shared/backends/model-ref";

/** Archive blob metadata naming the model it was copied from (keys are lower-case in storage). */
const META = { base: "sourcebaselocation", relative: "sourcerelativelocation" } as const;

/** Same model blob, whatever SAS token either location carries. */
const sameModel = (a: ModelLocation, b: ModelLocation) => a.RelativeLocation === b.RelativeLocation && slash(a.BaseLocation) === slash(b.BaseLocation);

/** A promotion step that cannot succeed as asked; retrying will not help. */
export class PromotionError extends Error {
  override readonly name = "PromotionError";
}

/** A model these activities can put on a classic endpoint (references written before tags were, too). */
function classicModel(m: ModelRef): ClassicModelRef {
  const r = readModelRef(m);
  if (r?.backend !== "classic") throw new PromotionError(`model ${describeModel(m)} is not a Studio (classic) model, so a classic endpoint cannot serve it`);
  return r;
}

/** Promotion on Studio (classic): archive what serves now, PATCH the new model, verify it serves, roll back if not. */
export function classicPromotionActivities(d: ActivityDependencies) {
  const resource = (e: EndpointInfo) => e.resources.find((r) => r.name === d.options.trainedModelResource)?.location;
  const readable = (l: ModelLocation) => readableModel(d, l, new Date(d.now() + 60 * 60_000));
  /** PATCH, refreshing the token once when the service could not read through it. */
  const patch = async (endpoint: EndpointInfo, location: BlobLocation, refresh: () => Promise<BlobLocation>): Promise<{ location: BlobLocation; refreshed: boolean }> => {
    try {
      await d.endpoints.updateResource(endpoint, d.options.trainedModelResource, location);
      return { location, refreshed: false };
    } catch (e) {
      if (!(isAmlServiceError(e) && e.statusCode === 400 && /refused|expired|403/i.test(e.message))) throw e;
      const fresh = await refresh();
      await d.endpoints.updateResource(endpoint, d.options.trainedModelResource, fresh);
      return { location: fresh, refreshed: true };
    }
  };
  const plain = classicRef;

  return {
    [ACTIVITY.promote]: (i: C.JobRef) =>
      toOutcome<C.PromoteResult>(async () => {
        const h = await resultHandle(d, i.jobId, "output1");
        const { location, refreshes } = await freshLocation(h, readerOptions(d));
        const endpoint = await d.endpoints.getEndpoint(i.endpoint);
        const archive = { container: d.options.archiveContainer, blob: `${i.endpoint.toLowerCase()}/${i.runId}/previous.ilearner` };
        const archivedAt = (): ClassicModelRef => ({ backend: "classic", BaseLocation: slash(d.runStorage.blobEndpoint), RelativeLocation: `${archive.container}/${archive.blob}` });
        const serving = resource(endpoint);
        if (serving && sameModel(serving, location)) {
          // Already applied: this is a retry of a PATCH whose answer was lost, or a host that died
          // after it. PATCHing again would archive the new model over the old one; report what the
          // first attempt did instead, from the archive it wrote before its PATCH.
          const meta = await d.staging.metadataOf(archive);
          const [base, relative] = [meta?.[META.base], meta?.[META.relative]];
          const previous = base && relative ? classicRef({ BaseLocation: base, RelativeLocation: relative }) : undefined;
          d.telemetry.event("ModelPromoted", { ...ref(i), jobId: i.jobId, model: location.RelativeLocation, previousModel: previous?.RelativeLocation, archivedModel: meta ? archive.blob : undefined, alreadyApplied: true });
          return { location: plain(location), ...(previous ? { previous } : {}), ...(meta ? { archived: archivedAt() } : {}), sasRefreshes: refreshes, alreadyApplied: true };
        }
        const previous = serving;
        // Keep a copy of what serves now before replacing it: job outputs are not kept forever.
        let archived: ClassicModelRef | undefined;
        if (previous && inRunStorage(d, previous)) {
          await d.staging.copyWithin(blobParts(previous), archive, { [META.base]: slash(previous.BaseLocation), [META.relative]: previous.RelativeLocation });
          archived = archivedAt();
        }
        const patched = await patch(endpoint, location, h.refresh);
        const promotedTo = plain(patched.location);
        d.telemetry.event("ModelPromoted", { ...ref(i), jobId: i.jobId, model: promotedTo.RelativeLocation, previousModel: previous?.RelativeLocation, archivedModel: archived?.RelativeLocation });
        return { location: promotedTo, ...(previous ? { previous: plain(previous) } : {}), ...(archived ? { archived } : {}), sasRefreshes: refreshes + (patched.refreshed ? 1 : 0) };
      }),

    [ACTIVITY.verify]: (i: C.VerifyInput) =>
      toOutcome<C.VerifyResult>(async () => {
        const expected = classicModel(i.expected);
        const endpoint = await d.endpoints.getEndpoint(i.endpoint);
        const actual = resource(endpoint);
        const listed = !!actual && sameModel(actual, expected);
        const checks = [listed ? `the endpoint lists the new model ${expected.RelativeLocation}` : `the endpoint lists ${actual?.RelativeLocation ?? "no model"}, not the new model ${expected.RelativeLocation}`];
        let canaryOk = true;
        // A rollback has no job: there are no training-time scores to compare with.
        const job = i.jobId ? await d.bes.getJob(i.jobId) : undefined;
        if (listed && i.jobId && job?.results.output3 && endpoint.primaryKey) {
          // Canary: the endpoint must answer the probe exactly as the new model did at training time.
          const jobId = i.jobId;
          const { text } = await readResult({ location: job.results.output3, refresh: async () => (await d.bes.getJob(jobId)).results.output3! }, readerOptions(d));
          const probe = parseScoredProbe(text);
          const served = await d.rrs.score(endpoint.apiLocation, endpoint.primaryKey, probe.features.columns, probe.features.rows);
          const canary = compareCanary(probe.probabilities, served);
          canaryOk = canary.matched;
          checks.push(`canary: ${canary.summary}`);
        } else if (listed && i.jobId) {
          checks.push("canary skipped: the run has no scored probe");
        }
        const verified = listed && canaryOk;
        d.telemetry.event(verified ? "PromotionVerified" : "VerificationFailed", { ...ref(i), jobId: i.jobId ?? "", checks: checks.join("; ") });
        return { verified, checks, ...(actual ? { actual: plain(actual) } : {}) };
      }),

    [ACTIVITY.rollback]: (i: C.RollbackInput) =>
      toOutcome<C.RollbackResult>(async () => {
        const to = classicModel(i.to);
        if (!inRunStorage(d, to)) throw new PromotionError(`cannot roll back to ${to.RelativeLocation}: it is outside the run storage account, so no read token can be made for it`);
        const endpoint = await d.endpoints.getEndpoint(i.endpoint);
        await patch(endpoint, await readable(to), () => readable(to));
        d.telemetry.event("ModelRolledBack", { ...ref(i), model: to.RelativeLocation });
        return { restored: plain(to) };
      }),
  };
}
