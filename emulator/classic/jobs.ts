import { BlockBlobClient, RestError } from "@azure/storage-blob";
import type { Workspace, JobRecord } from "./workspace";
import type { Faults } from "./faults";
import { openReference, type AzureBlobDataReference } from "./blob-refs";
import { corruptEvaluationCsv } from "./evaluation-corruption";
import { runExperiment } from "../training/experiment";
import { parseModel, serializeModel, type TrainedModel } from "../training/ilearner";
import { TrainingCancelled, TrainingError } from "../training/errors";
import type { ExperimentParameters } from "../training/experiment";

export interface JobRunnerOptions {
  readonly maxConcurrentJobs: number;
  readonly now: () => number;
  /** A timer on `now`'s clock (see EmulatorHooks.at). */
  readonly at?: (atMs: number, fn: () => void) => () => void;
  readonly log: (line: string) => void;
}

/**
 * Runs started jobs FIFO behind a concurrency cap, as the multi-tenant BES did. Training
 * happens in this process, yielding between epochs, so status calls stay responsive.
 */
export class JobRunner {
  private readonly queue: JobRecord[] = [];
  private readonly cancelled = new Set<string>();
  private running = 0;
  private stopped = false;
  private readonly idle = new Set<() => void>();
  /** Status calls each running job has had, for the `holdRunningPolls` fault. */
  private readonly polls = new Map<string, number>();
  private readonly pollWaiters = new Set<() => void>();

  constructor(
    private readonly workspace: Workspace,
    private readonly faults: Faults,
    private readonly o: JobRunnerOptions,
  ) {}

  /** Jobs left Queued or Running by a previous process run again from the start. */
  resume(): void {
    for (const j of this.workspace.jobs) if (j.state === "Queued" || j.state === "Running") this.enqueue(j);
  }

  async start(job: JobRecord): Promise<void> {
    job.state = "Queued";
    job.startedAt = new Date(this.o.now()).toISOString();
    await this.workspace.saveJob(job);
    this.enqueue(job);
  }

  async cancel(job: JobRecord): Promise<void> {
    if (job.state === "NotStarted" || job.state === "Queued") {
      const i = this.queue.indexOf(job);
      if (i >= 0) this.queue.splice(i, 1);
      await this.finish(job, "Cancelled");
    } else if (job.state === "Running") {
      this.cancelled.add(job.id);
      await this.finish(job, "Cancelled");
    }
  }

  /** Stops taking jobs and waits for running ones to notice (used on shutdown). */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const j of this.workspace.jobs) if (j.state === "Running") this.cancelled.add(j.id);
    if (this.running > 0) await new Promise<void>((resolve) => this.idle.add(resolve));
  }

  /** Counts a status call on a running job and wakes jobs held until they have been polled enough. */
  polled(job: JobRecord): void {
    this.polls.set(job.id, (this.polls.get(job.id) ?? 0) + 1);
    for (const wake of this.pollWaiters) wake();
  }

  private enqueue(job: JobRecord): void {
    this.queue.push(job);
    this.pump();
  }

  private pump(): void {
    while (!this.stopped && this.running < this.o.maxConcurrentJobs && this.queue.length > 0) {
      const job = this.queue.shift()!;
      this.running++;
      void this.run(job).finally(() => {
        this.running--;
        if (this.running === 0) for (const resolve of this.idle) resolve();
        this.idle.clear();
        this.pump();
      });
    }
  }

  private async run(job: JobRecord): Promise<void> {
    const holdUntil = this.holdUntil(job);
    const holdPolls = this.faults.holdRunningPolls();
    job.state = "Running";
    job.runningAt = new Date(this.o.now()).toISOString();
    await this.workspace.saveJob(job);
    const isCancelled = () => this.cancelled.has(job.id) || this.stopped;
    try {
      const injected = this.faults.takeJobFailure();
      if (injected !== undefined) throw new TrainingError(injected);
      const input = openReference(job.inputs.input1!).client;
      const csv = (await input.downloadToBuffer()).toString("utf8");
      const probe = job.inputs.input2 ? await readProbe(job.inputs.input2) : undefined;
      const champion = await loadChampion(job.globalParameters["Champion Model"]);
      const result = await runExperiment(csv, parameters(job.globalParameters), isCancelled, champion, probe);
      await this.waitUntil(holdUntil, isCancelled);
      await this.waitForPolls(job, holdPolls, isCancelled);
      if (isCancelled()) return;
      await write(job, "output1", serializeModel(result.model), "application/octet-stream");
      const corruption = this.faults.takeEvaluationCorruption();
      if (corruption) this.o.log(`job ${job.id}: writing a corrupted evaluation output (${corruption}), as injected`);
      await write(job, "output2", corruption ? corruptEvaluationCsv(result.evaluationCsv, corruption) : result.evaluationCsv, "text/csv");
      if (result.scoredProbeCsv !== undefined) await write(job, "output3", result.scoredProbeCsv, "text/csv");
      this.o.log(`job ${job.id} finished: AUC ${result.metrics.AUC.toFixed(4)}, accuracy ${result.metrics.Accuracy.toFixed(4)} on ${result.rows.test} test rows`);
      await this.finish(job, "Finished");
    } catch (e) {
      if (e instanceof TrainingCancelled || isCancelled()) return;
      const details = describe(e);
      this.o.log(`job ${job.id} failed: ${details}`);
      await this.finish(job, "Failed", details);
    } finally {
      this.cancelled.delete(job.id);
      this.polls.delete(job.id);
    }
  }

  private holdUntil(job: JobRecord): number {
    const hold = this.faults.holdRunningMs(job.inputs.input1?.RelativeLocation);
    return hold < 0 ? Number.POSITIVE_INFINITY : this.o.now() + hold;
  }

  private async waitUntil(untilMs: number, isCancelled: () => boolean): Promise<void> {
    while (this.o.now() < untilMs) {
      if (isCancelled()) throw new TrainingCancelled("cancelled");
      // Wakes at the end (on the clock's own timer when it has one), or within 100 ms real to notice a cancel.
      await new Promise<void>((resolve) => {
        const cancelAt = this.o.at?.(untilMs, () => (clearTimeout(timer), resolve()));
        const timer = setTimeout(() => (cancelAt?.(), resolve()), Math.min(100, Math.max(1, untilMs - this.o.now())));
      });
    }
  }

  private async waitForPolls(job: JobRecord, wanted: number, isCancelled: () => boolean): Promise<void> {
    while ((this.polls.get(job.id) ?? 0) < wanted) {
      if (isCancelled()) throw new TrainingCancelled("cancelled");
      // woken by the next status call, or after a while to notice a cancel
      await new Promise<void>((resolve) => {
        const wake = () => (this.pollWaiters.delete(wake), clearTimeout(timer), resolve());
        const timer = setTimeout(wake, 100);
        this.pollWaiters.add(wake);
      });
    }
  }

  private async finish(job: JobRecord, state: "Finished" | "Failed" | "Cancelled", details?: string): Promise<void> {
    job.state = state;
    job.endedAt = new Date(this.o.now()).toISOString();
    if (details !== undefined) job.details = details;
    await this.workspace.saveJob(job);
  }
}

async function write(job: JobRecord, name: string, content: string, contentType: string): Promise<void> {
  const { client } = openReference(job.outputs[name]!);
  await client.upload(content, Buffer.byteLength(content), { blobHTTPHeaders: { blobContentType: contentType } });
}

/** input2: the probe rows to score with the new model (its absence at submit is a 400, so here it was deleted since). */
async function readProbe(ref: AzureBlobDataReference): Promise<string> {
  try {
    return (await openReference(ref).client.downloadToBuffer()).toString("utf8");
  } catch (e) {
    if (!(e instanceof RestError)) throw e;
    throw new TrainingError(`input2 (probe rows) could not be read from ${ref.RelativeLocation} (${e.statusCode ?? "unreachable"}); check that the blob exists and the SAS.`);
  }
}

/** The "Champion Model" parameter: a blob URL with a read SAS of the model serving today. */
async function loadChampion(url: string | undefined): Promise<TrainedModel | undefined> {
  if (!url) return undefined;
  let text: string;
  try {
    text = (await new BlockBlobClient(url).downloadToBuffer()).toString("utf8");
  } catch (e) {
    const status = e instanceof RestError ? e.statusCode : undefined;
    throw new TrainingError(`The Champion Model could not be read (${status ?? "unreachable"}); check its URL and SAS.`);
  }
  try {
    return parseModel(text);
  } catch (e) {
    throw new TrainingError(`The Champion Model is not usable: ${(e as Error).message}`);
  }
}

function parameters(g: Readonly<Record<string, string>>): ExperimentParameters {
  return {
    labelColumn: g["Label Column"] || undefined,
    seed: g["Random Seed"] !== undefined ? Number(g["Random Seed"]) : 123,
    splitFraction: g["Split Fraction"] !== undefined ? Number(g["Split Fraction"]) : 0.75,
  };
}

/** Job `Details` in the words of the module that failed, without secrets from blob URLs. */
function describe(e: unknown): string {
  if (e instanceof TrainingError) return e.message;
  if (e instanceof RestError) {
    const code = e.code ?? String(e.statusCode);
    if (e.statusCode === 404) return `BlobNotFound: a job input or output blob was not found (${code}).`;
    if (e.statusCode === 403) return `AuthorizationFailure: storage refused access to a job input or output (${code}); check the SAS token and its expiry.`;
    return `Storage error ${e.statusCode ?? ""} ${code}.`;
  }
  return `Internal error: ${(e as Error).message}`;
}
