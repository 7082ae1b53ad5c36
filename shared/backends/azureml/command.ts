/**
 * A command job's command as Azure ML reads it: `${{inputs.<name>}}` and `${{outputs.<name>}}`
 * are bound to the job's inputs and outputs, and a `$[[ … ]]` segment is kept only when every
 * input it names is given, dropped otherwise (learn.microsoft.com/azure/machine-learning/
 * reference-yaml-core-syntax, "Define optional inputs in command line"). A reference outside
 * `$[[ ]]` to an input the job does not have is refused before the job is created; the message
 * is the one Azure ML's SDK gives (azure-ai-ml `entities/_job/_input_output_helpers.py`,
 * `_validate_inputs_for`); the service's own wording for it is unverified.
 */
export interface CommandReference {
  readonly kind: "inputs" | "outputs";
  readonly name: string;
  /** Inside `$[[ ]]`: the segment is dropped when the input is not given. */
  readonly optional: boolean;
}

interface Segment {
  readonly text: string;
  readonly optional: boolean;
}

const REFERENCE = /\$\{\{\s*(inputs|outputs)\.([A-Za-z0-9_.-]+)\s*\}\}/g;
const OPEN = "$[[";
const CLOSE = "]]";

/** The command cut into plain text and `$[[ ]]` segments, or why it cannot be (an unclosed or nested segment). */
function segmentsOf(command: string): Segment[] | string {
  const out: Segment[] = [];
  let at = 0;
  for (;;) {
    const open = command.indexOf(OPEN, at);
    if (open < 0) break;
    const close = command.indexOf(CLOSE, open + OPEN.length);
    if (close < 0) return `the optional segment at character ${open + 1} is not closed with "]]"`;
    const inner = command.slice(open + OPEN.length, close);
    if (inner.includes(OPEN)) return `optional segments cannot be nested (character ${open + 1})`;
    out.push({ text: command.slice(at, open), optional: false }, { text: inner, optional: true });
    at = close + CLOSE.length;
  }
  out.push({ text: command.slice(at), optional: false });
  return out.filter((s) => s.text !== "" || s.optional);
}

const referencesIn = (s: Segment): CommandReference[] =>
  [...s.text.matchAll(REFERENCE)].map((m) => ({ kind: m[1] as "inputs" | "outputs", name: m[2]!, optional: s.optional }));

/** Every `${{inputs.x}}` and `${{outputs.x}}` the command names, in order, or why the command cannot be read. */
export function commandReferences(command: string): CommandReference[] | string {
  const segments = segmentsOf(command);
  return typeof segments === "string" ? segments : segments.flatMap(referencesIn);
}

export interface CommandBindings {
  /** Input name → what `${{inputs.name}}` becomes (in a job: the mounted path). */
  readonly inputs: Readonly<Record<string, string>>;
  readonly outputs: Readonly<Record<string, string>>;
}

const has = (r: Readonly<Record<string, string>>, k: string) => Object.prototype.hasOwnProperty.call(r, k);

/** Why a job with these inputs and outputs cannot run the command, or undefined when it can. */
export function commandProblem(command: string, given: { readonly inputs: readonly string[]; readonly outputs: readonly string[] }): string | undefined {
  const refs = commandReferences(command);
  if (typeof refs === "string") return `The command cannot be read: ${refs}.`;
  for (const r of refs) {
    const names = r.kind === "inputs" ? given.inputs : given.outputs;
    // An optional segment may name an input the job lacks (it is dropped); never an output, which always exists when declared.
    if (!names.includes(r.name) && !(r.optional && r.kind === "inputs")) {
      return `${r.kind === "inputs" ? "Inputs" : "Outputs"} to job does not contain '${r.name}' referenced in command`;
    }
  }
  return undefined;
}

/**
 * The command as the job runs it: references replaced by their bindings, each `$[[ ]]` segment
 * kept (without its brackets) when every input it names is bound, dropped with one of the
 * spaces around it otherwise. Throws with `commandProblem`'s reason when the job cannot run it.
 */
export function resolveCommand(command: string, b: CommandBindings): string {
  const problem = commandProblem(command, { inputs: Object.keys(b.inputs), outputs: Object.keys(b.outputs) });
  if (problem) throw new Error(problem);
  const segments = segmentsOf(command) as Segment[];
  const bind = (text: string) => text.replace(REFERENCE, (_, kind: string, name: string) => (kind === "inputs" ? b.inputs[name] : b.outputs[name]) ?? "");
  let out = "";
  for (const s of segments) {
    const kept = !s.optional || referencesIn(s).every((r) => r.kind === "outputs" || has(b.inputs, r.name));
    if (kept) out += bind(s.text);
    else out = out.replace(/[ \t]$/, "");
  }
  return out;
}
