import { resolveCommand, commandProblem } from "../../shared/backends/azureml/command";
import { badRequest } from "./rules";

/** A code asset version's ARM id, as `codeId` takes it [S: CommandJob.codeId, "ARM resource ID of the code asset"]. */
const CODE_VERSION_ID = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.MachineLearningServices\/workspaces\/[^/]+\/codes\/[^/]+\/versions\/[^/]+$/i;

const namesOf = (v: unknown): string[] => (v && typeof v === "object" && !Array.isArray(v) ? Object.keys(v) : []);

/**
 * A command job's create-time checks beyond the required fields, and its command as the job runs
 * it. The command may name only the job's inputs and outputs (`$[[ ]]` segments excepted, which
 * are dropped when their input is missing); the message is the SDK's, the service's is
 * unverified. `codeId` must be a code version's ARM id; whether that version exists is not
 * checked, as this service does not check `environmentId` either (it holds no assets but models).
 */
export function checkedCommand(jobName: string, p: Record<string, unknown>): string {
  if (p.codeId !== undefined && p.codeId !== null && (typeof p.codeId !== "string" || !CODE_VERSION_ID.test(p.codeId))) {
    throw badRequest(`properties.codeId must be the ARM resource id of a code asset version (/subscriptions/…/workspaces/{w}/codes/{name}/versions/{version}); got ${JSON.stringify(p.codeId).slice(0, 200)}.`);
  }
  const command = p.command as string;
  const inputs = namesOf(p.inputs);
  const outputs = namesOf(p.outputs);
  const problem = commandProblem(command, { inputs, outputs });
  if (problem) throw badRequest(problem);
  // Where a job finds its inputs and writes its outputs: paths of the shape Azure ML mounts them at.
  const wd = `/mnt/azureml/cr/j/${jobName}/cap/data-capability/wd`;
  return resolveCommand(command, {
    // A literal input is its value; a data or model input, where it is mounted.
    inputs: Object.fromEntries(inputs.map((n) => {
      const input = (p.inputs as Record<string, { jobInputType?: unknown; value?: unknown }>)[n];
      return [n, input?.jobInputType === "literal" ? (typeof input.value === "string" ? input.value : JSON.stringify(input.value ?? "")) : `${wd}/INPUT_${n}`];
    })),
    outputs: Object.fromEntries(outputs.map((n) => [n, `${wd}/${n}`])),
  });
}
