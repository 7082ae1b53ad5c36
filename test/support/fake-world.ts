import { Readable } from "node:stream";
import { AmlServiceError } from "../../shared/backends/classic/aml-error";
import type { BatchExecutionRequest, BatchJobStatus, BlobLocation, EndpointInfo, JobState } from "../../shared/backends/classic/types";
import type { HttpTransport } from "../../shared/http/transport";
import { MemoryTelemetry } from "../../shared/telemetry/telemetry";
import type { ActivityDependencies } from "../../functions/activities/dependencies";
import { runBlobs } from "../../shared/storage/staging";
import type { RunRecord } from "../../shared/history/run-record";
import { InProcessStartLock } from "../../shared/storage/start-lock";
import { InMemoryPendingData } from "../../shared/storage/pending-data";
import type { DeliveryRecord } from "../../shared/history/run-history";

export const RESOURCE = "Census Model [trained model]";
export const PASSING_CSV = "Accuracy,Precision,Recall,F-Score,AUC,Average Log Loss,Training Log Loss\r\n0.85,0.73,0.58,0.65,0.907,0.318,0.42\r\n";
/** The probe as the training job scored it (output3): what the canary expects the endpoint to answer. */
export const SCORED_PROBE_CSV = "age,education,class,Scored Labels,Scored Probabilities\r\n39,Bachelors,<=50K,<=50K,0.125\r\n52,Masters,>50K,>50K,0.875\r\n";
export const FAILING_CSV = "Accuracy,Precision,Recall,F-Score,AUC,Average Log Loss,Training Log Loss\r\n0.70,0.50,0.40,0.44,0.71,0.55,0.10\r\n";

/**
 * A small, consistent stand-in for the ML service and storage, driven by a fake clock: jobs
 * advance on status polls, result tokens expire by `se=`, the endpoint remembers its model.
 */
export class FakeWorld {
  readonly telemetry = new MemoryTelemetry();
  readonly startLock = new InProcessStartLock();
  readonly pending = new InMemoryPendingData();
  readonly deliveries: DeliveryRecord[] = [];
  readonly submitted: BatchExecutionRequest[] = [];
  readonly patches: BlobLocation[] = [];
  readonly cancelled: string[] = [];
  readonly statusCalls: string[] = [];
  /** Polls after start before the job finishes (Infinity: never). */
  pollsToFinish = 2;
  finalState: JobState = "Finished";
  failureDetails = "ModuleExecutionError: Train Model failed";
  evaluationCsv = PASSING_CSV;
  /** Result token lifetime as minted by status GETs. */
  tokenLifetimeInMs = 24 * 3600_000;
  /** Tokens of the first N status GETs are already expired (0: none). */
  expiredTokenGets = 0;
  /** Throws queued per operation, consumed one per call. */
  readonly failures: Record<string, Error[]> = {};
  /** When true, PATCH is accepted but the endpoint keeps listing its old model. */
  patchIgnored = false;
  /** When true, the endpoint lists the new model but answers with another (a half-working PATCH). */
  servesStaleModel = false;
  readonly copies: { from: string; to: string }[] = [];
  private readonly blobMetadata = new Map<string, Record<string, string>>();
  readonly records = new Map<string, RunRecord>();
  readonly rrsCalls: string[][] = [];
  endpointModel: { BaseLocation: string; RelativeLocation: string } = { BaseLocation: "https://acct.blob.core.windows.net/", RelativeLocation: "models/seed.ilearner" };
  private jobs = new Map<string, { state: JobState; polls: number; outputs: BatchExecutionRequest["Outputs"] }>();

  constructor(readonly clock: { now: Date }) {}

  private fail(op: string): void {
    const e = this.failures[op]?.shift();
    if (e) throw e;
  }

  private token(expired: boolean): string {
    const se = new Date(this.clock.now.getTime() + (expired ? -60_000 : this.tokenLifetimeInMs)).toISOString();
    return `?sv=2024-08-04&sr=b&sp=r&se=${encodeURIComponent(se)}&sig=fake`;
  }

  readonly bes: ActivityDependencies["bes"] = {
    submitJob: (request) => {
      this.fail("submit");
      this.submitted.push(request);
      const id = `job${this.submitted.length}`;
      this.jobs.set(id, { state: "NotStarted", polls: 0, outputs: request.Outputs });
      return Promise.resolve(id);
    },
    startJob: (jobId) => {
      this.fail("start");
      const j = this.jobs.get(jobId)!;
      if (j.state !== "NotStarted") throw new AmlServiceError("BES start failed with 400", { operation: "BES start", code: "InvalidOperation", retryable: false, statusCode: 400, detailCode: "CannotStartJob" });
      j.state = "Running";
      return Promise.resolve();
    },
    getJob: (jobId): Promise<BatchJobStatus> => {
      this.fail("status");
      this.statusCalls.push(jobId);
      const j = this.jobs.get(jobId);
      if (!j) throw new AmlServiceError("not found", { operation: "BES status", code: "NotFound", retryable: false, statusCode: 404 });
      if (j.state === "Running" && ++j.polls >= this.pollsToFinish) j.state = this.finalState;
      const expired = this.expiredTokenGets > 0 && this.expiredTokenGets-- > 0;
      const results = j.state === "Finished"
        ? Object.fromEntries(Object.entries(j.outputs).map(([k, v]) => [k, { BaseLocation: v.BaseLocation, RelativeLocation: v.RelativeLocation, SasBlobToken: this.token(expired) }]))
        : {};
      return Promise.resolve({ state: j.state, results, ...(j.state === "Failed" ? { details: this.failureDetails } : {}) });
    },
    cancelJob: (jobId) => {
      this.fail("cancel");
      this.cancelled.push(jobId);
      const j = this.jobs.get(jobId);
      if (j && j.state !== "Finished") j.state = "Cancelled";
      return Promise.resolve();
    },
  };

  readonly endpoints: ActivityDependencies["endpoints"] = {
    getEndpoint: (name): Promise<EndpointInfo> =>
      Promise.resolve({ name, apiLocation: `https://svc/${name}`, primaryKey: "endpoint-key", resources: [{ name: RESOURCE, location: { ...this.endpointModel } }] }),
    updateResource: (_endpoint, _resource, location) => {
      this.fail("patch");
      // The real service reads the model through the token; an expired one is refused.
      const se = Date.parse(new URLSearchParams(location.SasBlobToken.slice(1)).get("se") ?? "");
      if (se <= this.clock.now.getTime()) throw new AmlServiceError("update resource failed with 400 BadArgument/InvalidBlob: storage refused to read (403)", { operation: "update resource", code: "BadArgument", retryable: false, statusCode: 400, detailCode: "InvalidBlob" });
      this.patches.push(location);
      if (!this.patchIgnored) this.endpointModel = { BaseLocation: location.BaseLocation, RelativeLocation: location.RelativeLocation };
      return Promise.resolve();
    },
  };

  /** The staged data the data checks read: 200 rows that pass the default checks. */
  stagedCsv = ["age,class", ...Array.from({ length: 200 }, (_, i) => `${20 + (i % 50)},${i % 3 === 0 ? ">50K" : "<=50K"}`)].join("\n") + "\n";

  /** Serves result blobs (evaluation or scored probe), or 403 when the token has expired by the fake clock. */
  readonly resultTransport: HttpTransport = (req) => {
    const url = new URL(req.url);
    const se = Date.parse(url.searchParams.get("se") ?? "");
    if (!(se > this.clock.now.getTime())) return Promise.resolve({ status: 403, headers: {}, bodyText: "AuthenticationFailed" });
    return Promise.resolve({ status: 200, headers: {}, bodyText: url.pathname.endsWith("probe-scored.csv") ? SCORED_PROBE_CSV : this.evaluationCsv });
  };

  /** RRS: answers the probe as the model the endpoint really serves would. */
  readonly rrs: ActivityDependencies["rrs"] = {
    score: (_api, _key, columns, rows) => {
      this.rrsCalls.push([...columns]);
      const fresh = this.endpointModel.RelativeLocation.endsWith("/model.ilearner") && !this.servesStaleModel;
      const p = fresh ? ["0.125", "0.875"] : ["0.2", "0.7"];
      return Promise.resolve({ columns: [...columns, "Scored Labels", "Scored Probabilities"], rows: rows.map((r, i) => [...r, "x", p[i] ?? "0"]) });
    },
  };

  deps(overrides: Partial<ActivityDependencies["options"]> = {}): ActivityDependencies {
    return {
      bes: this.bes,
      endpoints: this.endpoints,
      staging: {
        stage: (runId) => (this.fail("stage"), Promise.resolve({ blob: runBlobs(runId).input, bytes: 1234, sha256: "ab", method: "stream" as const })),
        writeProbe: () => Promise.resolve(2),
        readProbe: () => Promise.resolve("age,workclass\n39,State-gov\n50,Private\n"),
        readInput: () => Promise.resolve(Readable.from([Buffer.from(this.stagedCsv)])),
        copyWithin: (from, to, metadata) => {
          this.copies.push({ from: `${from.container}/${from.blob}`, to: `${to.container}/${to.blob}` });
          this.blobMetadata.set(`${to.container}/${to.blob}`, { ...metadata });
          return Promise.resolve(100);
        },
        metadataOf: (at) => Promise.resolve(this.blobMetadata.get(`${at.container}/${at.blob}`)),
      },
      rrs: this.rrs,
      history: {
        upsert: (r) => (this.records.set(r.runId, r), Promise.resolve({ truncated: false })),
        get: (id) => Promise.resolve(this.records.get(id)),
        list: () => Promise.resolve({ runs: [...this.records.values()].reverse() }),
        watchingSince: (_e, now) => Promise.resolve(now),
        recordDelivery: (d) => (this.deliveries.push(d), Promise.resolve()),
        deliveries: (id) => Promise.resolve(this.deliveries.filter((d) => d.runId === id)),
      },
      startLock: this.startLock,
      pending: this.pending,
      signer: { sign: (_c, blob, perms, expiresOn) => Promise.resolve(`?sp=${perms}&se=${encodeURIComponent(expiresOn.toISOString())}&sr=b&sig=${blob.length}`) },
      telemetry: this.telemetry,
      runStorage: { blobEndpoint: "https://acct.blob.core.windows.net/", container: "retrainer-runs" },
      options: { trainedModelResource: RESOURCE, archiveContainer: "retrainer-archive", jobSasLifetimeInMs: 5 * 3600_000, sasRefreshMarginInMs: 5 * 60_000, dataRoot: "/data", sources: { containers: ["training-data"], allowLoopback: false }, ...overrides },
      resultTransport: this.resultTransport,
      now: () => this.clock.now.getTime(),
    };
  }
}
