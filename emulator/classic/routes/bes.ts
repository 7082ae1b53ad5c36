import { randomUUID } from "node:crypto";
import { RestError } from "@azure/storage-blob";
import type { Router, Request } from "../../http/router";
import { AmlHttpError, badArgument, notFound, unauthorized } from "../../http/errors";
import { keyMatches, bearerKey } from "../../auth";
import { checkReference, openReference, resultLocation, type AzureBlobDataReference } from "../blob-refs";
import type { ServiceContext } from "./context";
import { DEFAULT_OUTPUT_CONTAINER, type JobRecord, type JobState } from "../workspace";
import { ownValue } from "../../../shared/own-record";

/**
 * The training web service's inputs and outputs. Beyond the seed's input1 → output1 (model) and
 * output2 (Evaluate Model), the experiment has a probe branch for canary checks: a second
 * web-service input feeds a Score Model module that scores with the model just trained, and its
 * output is a third web-service output.
 * - `input2` (optional): CSV of probe rows, same schema as input1, label column optional. Checked
 *   like input1 and must exist at submit (else 400 BlobNotFound).
 * - `output3` (`.csv`): the probe rows scored by the new model exactly as RRS `execute` returns
 *   them: the probe's columns, then `Scored Labels` and `Scored Probabilities` (`String(p)`, as in
 *   rrs.ts), so scores from the endpoint after Update Resource compare equal as strings. Written
 *   to the default location when input2 is given without it; requesting it without input2 is 400.
 * - A probe row the model cannot score (bad number, missing feature column) fails the job, with
 *   Details naming input2.
 * This wiring is the project's own extension of the seed experiment, not a documented contract.
 */
const INPUTS = ["input1", "input2"] as const;
const OUTPUT_EXTENSIONS: Readonly<Record<string, string>> = { output1: ".ilearner", output2: ".csv", output3: ".csv" };
/** Outputs that exist only when their input does: output3 is the scored input2. */
const OUTPUT_NEEDS: Readonly<Record<string, string>> = { output3: "input2" };
/** The training experiment's web service parameters (case-sensitive, as in Studio). */
const GLOBAL_PARAMETERS = ["Label Column", "Random Seed", "Split Fraction", "Champion Model"] as const;

export function besRoutes(router: Router, ctx: ServiceContext): void {
  const base = "/workspaces/:ws/services/:svc/jobs";
  router.add("POST", base, (req) => submit(ctx, req));
  router.add("POST", `${base}/:job/start`, (req) => start(ctx, req));
  router.add("GET", `${base}/:job`, (req) => status(ctx, req));
  router.add("DELETE", `${base}/:job`, (req) => cancel(ctx, req));
}

/** Workspace, service and key, in the order the real front end checked them. */
export function authorizeTraining(ctx: ServiceContext, req: Request): void {
  requireApiVersion(req);
  if (req.params.ws!.toLowerCase() !== ctx.config.workspaceId.toLowerCase()) {
    throw notFound("WorkspaceNotFound", `Workspace ${req.params.ws} was not found.`);
  }
  if (req.params.svc!.toLowerCase() !== ctx.config.trainingServiceId.toLowerCase()) {
    throw notFound("WebServiceNotFound", `Web service ${req.params.svc} was not found in this workspace.`);
  }
  if (!keyMatches(bearerKey(req.raw), [ctx.config.trainingApiKey])) throw unauthorized();
}

export function requireApiVersion(req: Request): void {
  const v = req.url.searchParams.get("api-version");
  if (v !== "2.0") throw badArgument("InvalidApiVersion", `api-version must be 2.0, got ${v === null ? "none" : `"${v}"`}.`);
}

async function submit(ctx: ServiceContext, req: Request) {
  authorizeTraining(ctx, req);
  const body = await req.json();
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw badArgument("InvalidRequestBody", "The body must be a BatchExecutionRequest object.");
  const b = body as Record<string, unknown>;
  if (b.Input !== undefined && b.Inputs !== undefined) {
    throw badArgument("DuplicateInputInBatchCall", "The request has both Input and Inputs; send only Inputs.");
  }
  const inputs = readInputs(b);
  const jobId = randomUUID().replace(/-/g, "");
  const outputs = readOutputs(ctx, b.Outputs, jobId, inputs);
  const globalParameters = readGlobalParameters(b.GlobalParameters);
  await requireBlobExists(inputs.input1!, "Inputs.input1");
  if (inputs.input2) await requireBlobExists(inputs.input2, "Inputs.input2");
  const job: JobRecord = { id: jobId, state: "NotStarted", inputs, outputs, globalParameters, createdAt: new Date(ctx.now()).toISOString() };
  await ctx.workspace.addJob(job);
  return { status: 200, body: jobId };
}

function readInputs(b: Record<string, unknown>): Record<string, AzureBlobDataReference> {
  if (b.Input !== undefined && b.Input !== null) return { input1: checkReference(b.Input, "Input") };
  const raw = b.Inputs;
  if (typeof raw !== "object" || raw === null || Array.isArray(raw) || Object.keys(raw).length === 0) {
    throw badArgument("BatchJobInputsNotSpecified", 'The job has no inputs; this service needs "input1" in Inputs.');
  }
  const given = raw as Record<string, unknown>;
  for (const name of Object.keys(given)) {
    if (!(INPUTS as readonly string[]).includes(name)) {
      throw badArgument("BatchJobInputsNotSpecified", `Unknown input "${name}"; this service's inputs are "input1" (training data) and the optional "input2" (probe rows).`);
    }
  }
  if (given.input1 === undefined || given.input1 === null) {
    throw badArgument("BatchJobInputsNotSpecified", 'The job has no "input1" in Inputs; this service needs its training data there.');
  }
  const inputs: Record<string, AzureBlobDataReference> = { input1: checkReference(given.input1, "Inputs.input1") };
  if (given.input2 !== undefined && given.input2 !== null) inputs.input2 = checkReference(given.input2, "Inputs.input2");
  return inputs;
}

function readOutputs(
  ctx: ServiceContext,
  raw: unknown,
  jobId: string,
  inputs: Readonly<Record<string, AzureBlobDataReference>>,
): Record<string, AzureBlobDataReference> {
  const out: Record<string, AzureBlobDataReference> = {};
  if (raw !== undefined && raw !== null) {
    if (typeof raw !== "object" || Array.isArray(raw)) throw badArgument("InvalidOutputOverrideName", "Outputs must be an object of output name → blob reference.");
    for (const [name, ref] of Object.entries(raw)) {
      // Own keys only: "constructor" or "__proto__" is an unknown output like any other name.
      const ext = ownValue(OUTPUT_EXTENSIONS, name);
      if (!ext) {
        throw badArgument("InvalidOutputOverrideName", `Unknown output "${name}"; this service's outputs are output1 (.ilearner), output2 (.csv) and output3 (.csv, with input2).`);
      }
      const needs = ownValue(OUTPUT_NEEDS, name);
      if (needs !== undefined && !inputs[needs]) {
        throw badArgument("BatchJobInputsNotSpecified", `Outputs.${name} is the scored probe rows, but the request has no Inputs.${needs} (the probe rows) to score.`);
      }
      out[name] = checkReference(ref, `Outputs.${name}`, ext);
    }
  }
  for (const [name, ext] of Object.entries(OUTPUT_EXTENSIONS)) {
    const needs = OUTPUT_NEEDS[name];
    if (needs !== undefined && !inputs[needs]) continue;
    out[name] ??= { ConnectionString: ctx.storage.connectionString, RelativeLocation: `${DEFAULT_OUTPUT_CONTAINER}/${jobId}/${name}${ext}` };
  }
  return out;
}

function readGlobalParameters(raw: unknown): Record<string, string> {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== "object" || Array.isArray(raw)) throw badArgument("InvalidGlobalParameters", "GlobalParameters must be an object of name → string.");
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (!(GLOBAL_PARAMETERS as readonly string[]).includes(name)) {
      // Unconfirmed: the real service's handling of unknown names. Refusing makes typos visible.
      throw badArgument("InvalidGlobalParameterName", `Unknown global parameter "${name}"; names are case-sensitive: ${GLOBAL_PARAMETERS.join(", ")}.`);
    }
    if (typeof value !== "string") throw badArgument("InvalidGlobalParameterValue", `Global parameter "${name}" must be a string.`);
    out[name] = value;
  }
  const seed = out["Random Seed"];
  if (seed !== undefined && !/^-?\d+$/.test(seed)) throw badArgument("InvalidGlobalParameterValue", `"Random Seed" must be an integer, got "${seed}".`);
  const fraction = out["Split Fraction"];
  if (fraction !== undefined && !(Number(fraction) > 0 && Number(fraction) < 1)) {
    throw badArgument("InvalidGlobalParameterValue", `"Split Fraction" must be a number between 0 and 1 exclusive, got "${fraction}".`);
  }
  const champion = out["Champion Model"];
  if (champion !== undefined && champion !== "") {
    const u = URL.canParse(champion) ? new URL(champion) : undefined;
    if (!u || !/^https?:$/.test(u.protocol) || !u.pathname.toLowerCase().endsWith(".ilearner")) {
      throw badArgument("InvalidGlobalParameterValue", `"Champion Model" must be the URL (with SAS) of a .ilearner blob.`);
    }
  }
  return out;
}

async function requireBlobExists(ref: AzureBlobDataReference, what: string): Promise<void> {
  try {
    if (!(await openReference(ref).client.exists())) throw badArgument("BlobNotFound", `${what}: blob ${ref.RelativeLocation} was not found.`);
  } catch (e) {
    if (e instanceof AmlHttpError) throw e;
    const status = e instanceof RestError ? e.statusCode : undefined;
    throw badArgument("InvalidBlob", `${what}: storage refused access to ${ref.RelativeLocation} (${status ?? "unreachable"}); check the credentials and SAS expiry.`);
  }
}

function jobOf(ctx: ServiceContext, req: Request): JobRecord {
  authorizeTraining(ctx, req);
  const job = ctx.workspace.job(req.params.job!);
  if (!job) throw notFound("JobNotFound", `Job ${req.params.job} was not found.`);
  return job;
}

async function start(ctx: ServiceContext, req: Request) {
  const job = jobOf(ctx, req);
  if (job.state !== "NotStarted") {
    throw new AmlHttpError(400, "InvalidOperation", `The job cannot be started because it is in ${job.state} state.`, "CannotStartJob");
  }
  await ctx.jobs.start(job);
  return { status: 204 };
}

const REPORTED: Readonly<Record<JobState, string>> = {
  NotStarted: "NotStarted", Queued: "NotStarted", Running: "Running", Failed: "Failed", Cancelled: "Cancelled", Finished: "Finished",
};

function status(ctx: ServiceContext, req: Request) {
  const job = jobOf(ctx, req);
  const lifetime = ctx.faults.sasLifetimeInSeconds(ctx.config.sasLifetimeInSeconds);
  if (job.state === "Running") ctx.jobs.polled(job);
  // An injected expired token is one minted a while ago: it ended a minute before this answer.
  const expired = job.state === "Finished" && ctx.faults.takeExpiredSas();
  const expiresOn = new Date(ctx.now() + (expired ? -60 : lifetime) * 1000);
  // Every GET mints fresh tokens: the documented way to recover from an expired one.
  const results = job.state === "Finished"
    ? Object.fromEntries(Object.entries(job.outputs).map(([name, ref]) => [name, resultLocation(ref, ctx.storage, expiresOn)]))
    : null;
  return { status: 200, body: { StatusCode: REPORTED[job.state], Results: results, Details: job.details ?? null } };
}

async function cancel(ctx: ServiceContext, req: Request) {
  const job = jobOf(ctx, req);
  await ctx.jobs.cancel(job);
  return { status: 204 };
}

