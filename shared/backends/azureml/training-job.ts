import { commandReferences } from "./command";

/**
 * The shape of the command job the app submits per run: its inputs, its output and the model
 * type of both ends. One place, read by the submit and register activities, the settings' check
 * of AZUREML_TRAINING_COMMAND and the example's test.
 */
export const TRAINING_JOB = {
  /** Given to every job. */
  alwaysInputs: ["data"],
  /** `probe`: only when the run staged probe rows; `champion`: only when a registered version serves the endpoint. */
  sometimesInputs: ["probe", "champion"],
  outputs: ["model"],
} as const;

/**
 * The model the job writes and the app registers and deploys is an MLflow model: Azure ML deploys
 * only MLflow models without a scoring script and an environment ("no-code deployment",
 * learn.microsoft.com/azure/machine-learning/how-to-deploy-mlflow-models), which is how the app
 * creates its deployments. `custom_model` would register, then fail to deploy.
 */
export const MODEL_TYPE = "mlflow_model";

/**
 * The default command. `probe` is not always given, and Azure ML refuses a command that names an
 * input the job lacks, so it sits in an optional segment; train.py reads `champion` and `model`
 * from the AZURE_ML_INPUT_champion / AZURE_ML_OUTPUT_model variables Azure ML sets, so the
 * command need not name them.
 */
export const DEFAULT_TRAINING_COMMAND = "python train.py --data ${{inputs.data}} $[[--probe ${{inputs.probe}}]]";

/** Why the app's jobs could not run `command`, or undefined when they can whatever inputs a run has. */
export function trainingCommandProblem(command: string): string | undefined {
  const refs = commandReferences(command);
  if (typeof refs === "string") return `cannot be read: ${refs}`;
  const inputs: readonly string[] = [...TRAINING_JOB.alwaysInputs, ...TRAINING_JOB.sometimesInputs];
  const outputs: readonly string[] = TRAINING_JOB.outputs;
  for (const r of refs) {
    const known = r.kind === "inputs" ? inputs : outputs;
    if (!known.includes(r.name)) return `names \${{${r.kind}.${r.name}}}, which the app's jobs do not have (inputs ${inputs.join(", ")}; output ${outputs.join(", ")})`;
    if (r.kind === "inputs" && (TRAINING_JOB.sometimesInputs as readonly string[]).includes(r.name) && !r.optional) {
      return `names \${{inputs.${r.name}}} outside an optional segment, but a run does not always have that input; write it as $[[--${r.name} \${{inputs.${r.name}}}]]`;
    }
  }
  return undefined;
}
