import { describe, expect, it } from "vitest";
import { commandProblem, commandReferences, resolveCommand } from "../../../../../shared/backends/azureml/command";

const DEFAULT = "python train.py --data ${{inputs.data}} $[[--probe ${{inputs.probe}}]]";

describe("commandReferences", () => {
  it("lists inputs and outputs in order, those inside $[[ ]] as optional", () => {
    expect(commandReferences("python t.py --a ${{inputs.a}} $[[--b ${{ inputs.b }}]] --m ${{outputs.model}}")).toEqual([
      { kind: "inputs", name: "a", optional: false },
      { kind: "inputs", name: "b", optional: true },
      { kind: "outputs", name: "model", optional: false },
    ]);
  });

  it("says why an unclosed or nested segment cannot be read", () => {
    expect(commandReferences("python t.py $[[--b ${{inputs.b}}")).toMatch(/not closed with "]]"/);
    expect(commandReferences("python t.py $[[--b $[[${{inputs.b}}]]]]")).toMatch(/cannot be nested/);
  });
});

describe("commandProblem", () => {
  it("refuses a bare reference to an input the job lacks, in the SDK's words; an optional one is fine", () => {
    expect(commandProblem("python t.py --probe ${{inputs.probe}}", { inputs: ["data"], outputs: [] })).toBe("Inputs to job does not contain 'probe' referenced in command");
    expect(commandProblem(DEFAULT, { inputs: ["data"], outputs: [] })).toBeUndefined();
    expect(commandProblem(DEFAULT, { inputs: [], outputs: [] })).toBe("Inputs to job does not contain 'data' referenced in command");
  });

  it("refuses an output the job does not declare, even inside $[[ ]]", () => {
    expect(commandProblem("python t.py $[[--out ${{outputs.model}}]]", { inputs: [], outputs: [] })).toBe("Outputs to job does not contain 'model' referenced in command");
  });
});

describe("resolveCommand", () => {
  it("keeps a $[[ ]] segment, without its brackets, when its input is given", () => {
    expect(resolveCommand(DEFAULT, { inputs: { data: "/in/data", probe: "/in/probe" }, outputs: {} })).toBe("python train.py --data /in/data --probe /in/probe");
  });

  it("drops it with one space when the input is missing, wherever it sits", () => {
    expect(resolveCommand(DEFAULT, { inputs: { data: "/in/data" }, outputs: {} })).toBe("python train.py --data /in/data");
    expect(resolveCommand("python t.py $[[--c ${{inputs.c}}]] --data ${{inputs.data}}", { inputs: { data: "/d" }, outputs: {} })).toBe("python t.py --data /d");
  });

  it("keeps a segment that names outputs only, and binds outputs", () => {
    expect(resolveCommand("python t.py $[[--m ${{outputs.model}}]]", { inputs: {}, outputs: { model: "/out/model" } })).toBe("python t.py --m /out/model");
  });

  it("throws the problem rather than run a command the job cannot have", () => {
    expect(() => resolveCommand("python t.py ${{inputs.champion}}", { inputs: {}, outputs: {} })).toThrow("Inputs to job does not contain 'champion' referenced in command");
    expect(() => resolveCommand("python t.py $[[oops", { inputs: {}, outputs: {} })).toThrow(/cannot be read/);
  });
});
