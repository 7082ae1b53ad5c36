import { describe, expect, it } from "vitest";
import { expectedTrainingSeconds } from "../../../shared/history/expected-duration";
import type { RunRecord } from "../../../shared/history/run-record";

const run = (result: string, training?: number) => ({ result, durationsInSeconds: training === undefined ? {} : { training } }) as unknown as RunRecord;
const history = (runs: RunRecord[]) => ({ list: () => Promise.resolve({ runs }) });

describe("expectedTrainingSeconds", () => {
  it("is the median training time of the endpoint's last five runs whose job finished", async () => {
    const runs = [run("failed", 5), run("promoted", 700), run("rejected", 600), run("dry-run", 900), run("promoted", 650), run("promoted", 620), run("promoted", 10_000)];
    // the newest five finished: 700, 600, 900, 650, 620 → median 650; the failed run and the sixth are ignored
    expect(await expectedTrainingSeconds(history(runs), "retrain")).toBe(650);
    expect(await expectedTrainingSeconds(history([run("promoted", 100), run("rejected", 300)]), "retrain")).toBe(200);
  });

  it("prefers the time until a poll last found the job running: the recorded training stage includes how late its end was noticed", async () => {
    const r = { result: "promoted", durationsInSeconds: { training: 197, trainingAtLeast: 121 } } as unknown as RunRecord;
    expect(await expectedTrainingSeconds(history([r]), "retrain")).toBe(121);
  });

  it("is undefined without finished runs, or when the history cannot be read: a run never waits on the hint", async () => {
    expect(await expectedTrainingSeconds(history([run("failed", 50), run("promoted")]), "retrain")).toBeUndefined();
    expect(await expectedTrainingSeconds({ list: () => Promise.reject(new Error("table down")) }, "retrain")).toBeUndefined();
  });
});
