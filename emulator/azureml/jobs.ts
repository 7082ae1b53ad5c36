import { BlockBlobClient, RestError } from "@azure/storage-blob";
import { runExperiment, type ExperimentResult } from "../training/experiment";
import { TrainingCancelled, TrainingError } from "../training/errors";
import type { TrainedModel } from "../training/ilearner";
import { parseScoredProbe } from "../../shared/evaluation/canary";
import { CHAMPION_PREFIX, PROBE_METRIC } from "../../shared/backends/azureml/metrics";
import type { AzureMlFaults } from "./faults";
import type { AzureMlState, JobRecord } from "./state";

/** Evaluate Model's metrics under the MLflow keys a v2 training script logs (shared/backends/azureml/metrics.ts). */
const MLFLOW_KEYS = { Accuracy: "accuracy", Precision: "precision", Recall: "recall", "F-Score": "f1_score", AUC: "auc", "Average Log Loss": "log_loss" } as const;

interface JobInput { jobInputType?: unknown; uri?: unknown; value?: unknown }

/**
 * Runs command jobs with the same experiment the classic service runs: the `data` input (a
 * uri_file) is trained on; a `champion` model input (a registered version) is evaluated on the
 * same held-out rows and logged with a `champion_` prefix. NotStarted → Queued → Running →
 * Completed | Failed | Canceled, at most `maxConcurrent` at once.
 */
export class AzureMlJobRunner {
  private running = 0;
  private readonly queue: JobRecord[] = [];
  private stopped = false;

  constructor(
    private readonly state: AzureMlState,
    private readonly faults: AzureMlFaults,
    private readonly o: { readonly maxConcurrent: number; readonly now: () => number; readonly log: (line: string) => void },
  ) {}

  submit(job: JobRecord): void {
    // Accepted NotStarted, as the PUT answers; queued on the next turn.
    setImmediate(() => {
      if (job.status !== "NotStarted") return;
      job.status = "Queued";
      this.queue.push(job);
      this.next();
    });
  }

  cancel(job: JobRecord): void {
    if (job.status === "Completed" || job.status === "Failed" || job.status === "Canceled") return;
    if (job.status === "Running") job.status = "CancelRequested";
    else this.end(job, "Canceled");
  }

  stop(): void {
    this.stopped = true;
  }

  private next(): void {
    while (!this.stopped && this.running < this.o.maxConcurrent) {
      const job = this.queue.shift();
      if (!job) return;
      if (job.status !== "Queued") continue;
      this.running++;
      void this.run(job).finally(() => {
        this.running--;
        this.next();
      });
    }
  }

  private async run(job: JobRecord): Promise<void> {
    job.status = "Running";
    job.startedAtMs = this.o.now();
    const cancelled = () => job.status === "CancelRequested" || this.stopped;
    try {
      const hold = this.faults.takeJobHold();
      if (hold !== undefined) await this.holdWhileRunning(hold, cancelled);
      if (cancelled()) throw new TrainingCancelled("cancelled");
      const injected = this.faults.takeJobFailure();
      if (injected !== undefined) throw new TrainingError(injected);
      const inputs = (job.properties.inputs ?? {}) as Record<string, JobInput>;
      const csv = await readUri(inputs.data, "data");
      const champion = this.championOf(inputs.champion);
      const probe = inputs.probe ? await readUri(inputs.probe, "probe") : undefined;
      const result = await runExperiment(csv, { seed: 123, splitFraction: 0.75 }, cancelled, champion, probe);
      if (cancelled()) throw new TrainingCancelled("cancelled");
      this.log(job, result);
      job.model = result.model;
      this.end(job, "Completed");
      this.o.log(`job ${job.name} completed: auc ${result.metrics.AUC.toFixed(4)} on ${result.rows.test} held-out rows`);
    } catch (e) {
      if (e instanceof TrainingCancelled || cancelled()) return this.end(job, "Canceled");
      job.error = e instanceof TrainingError ? e.message : `the job failed: ${(e as Error).message}`;
      this.end(job, "Failed");
      this.o.log(`job ${job.name} failed: ${job.error}`);
    }
  }

  private log(job: JobRecord, r: ExperimentResult): void {
    const t = this.o.now();
    for (const [from, key] of Object.entries(MLFLOW_KEYS) as [keyof typeof MLFLOW_KEYS, string][]) {
      job.metrics.set(key, { value: r.metrics[from], timestamp: t });
      if (r.championMetrics) job.metrics.set(`${CHAMPION_PREFIX}${key}`, { value: r.championMetrics[from], timestamp: t });
    }
    // The probe rows scored by the new model, one step per row: the canary's expected answers; and
    // by the champion, which a later rollback to the champion is checked against.
    const probes: [string, string | undefined][] = [[PROBE_METRIC, r.scoredProbeCsv], [`${CHAMPION_PREFIX}${PROBE_METRIC}`, r.championProbeCsv]];
    for (const [key, csv] of probes) {
      if (csv === undefined) continue;
      const steps = parseScoredProbe(csv).probabilities.map((value, step) => ({ value, timestamp: t, step }));
      job.history.set(key, steps);
      if (steps.length > 0) job.metrics.set(key, steps[steps.length - 1]!);
    }
    for (const [key, m] of job.metrics) if (!job.history.has(key)) job.history.set(key, [{ ...m, step: 0 }]);
  }

  /** `azureml:{name}:{version}` or `azureml://…/models/{name}/versions/{version}`: a registered version. */
  private championOf(input: JobInput | undefined): TrainedModel | undefined {
    if (!input) return undefined;
    const uri = typeof input.uri === "string" ? input.uri : "";
    const m = /^azureml:([^:/]+):([^:/]+)$/.exec(uri) ?? /\/models\/([^/]+)\/versions\/([^/]+)\/?$/.exec(uri);
    const model = m ? this.state.models.get(m[1]!)?.get(m[2]!) : undefined;
    if (!model) throw new TrainingError(`input champion: ${uri || "(no uri)"} is not a registered model version of this workspace.`);
    return model.model;
  }

  /** Stays Running for `ms` (-1: until cancelled), checking for a cancel every 50 ms. */
  private async holdWhileRunning(ms: number, cancelled: () => boolean): Promise<void> {
    const until = ms < 0 ? Number.POSITIVE_INFINITY : Date.now() + ms;
    while (!cancelled() && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  }

  private end(job: JobRecord, status: "Completed" | "Failed" | "Canceled"): void {
    job.status = status;
    job.endedAtMs = this.o.now();
  }
}

/** A uri_file input that is an https (or, locally, http) URL with a SAS, read like the service's data plane would. */
async function readUri(input: JobInput | undefined, name: string): Promise<string> {
  const uri = typeof input?.uri === "string" ? input.uri : undefined;
  if (!uri || !/^https?:\/\//.test(uri)) throw new TrainingError(`input ${name} must be a uri_file with an https:// URL.`);
  try {
    return (await new BlockBlobClient(uri).downloadToBuffer()).toString("utf8");
  } catch (e) {
    const status = e instanceof RestError ? e.statusCode : undefined;
    throw new TrainingError(`input ${name} could not be read (${status ?? "unreachable"}); check the URL and its SAS.`);
  }
}
