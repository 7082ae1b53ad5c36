import { describe, expect, it } from "vitest";
import { describeModel, readModelRef } from "../../../../shared/backends/model-ref";
import { isEnded, phaseOf } from "../../../../shared/backends/job-phase";
import { CLASSIC_PHASE } from "../../../../shared/backends/classic/types";
import { fromProperties, toProperties } from "../../../../shared/history/record-entity";
import type { RunRecord } from "../../../../shared/history/run-record";

const BLOB = { BaseLocation: "https://acct.blob.core.windows.net/", RelativeLocation: "retrainer-runs/r1/model.ilearner" };

describe("model references", () => {
  it("are tagged by backend; an untagged location (written before tags) is classic", () => {
    expect(readModelRef(BLOB)).toEqual({ backend: "classic", ...BLOB });
    expect(readModelRef({ backend: "classic", ...BLOB, SasBlobToken: "?sig=x" })).toEqual({ backend: "classic", ...BLOB });
    expect(readModelRef({ backend: "azureml", name: "census", version: "7" })).toEqual({ backend: "azureml", name: "census", version: "7" });
    for (const bad of [null, "x", {}, { backend: "azureml", name: "census" }, { backend: "sagemaker", ...BLOB }, { BaseLocation: 1, RelativeLocation: "x" }]) expect(readModelRef(bad)).toBeUndefined();
  });

  it("are described the way operators read them", () => {
    expect(describeModel({ backend: "classic", ...BLOB })).toBe("retrainer-runs/r1/model.ilearner");
    expect(describeModel({ backend: "azureml", name: "census", version: "7" })).toBe("census:7");
  });

  it("come out of stored run records tagged, even from records written before tags", () => {
    const legacy = { runId: "r1", endpoint: "e", instanceId: "retrain-e", trigger: { kind: "http" }, dataSource: "file x.csv", gateRules: "AUC>=0.8", result: "promoted",
      modelBefore: BLOB, modelAfter: BLOB, archivedModel: BLOB, durationsInSeconds: {}, startedAt: "2026-01-01T00:00:00Z" } as unknown as RunRecord;
    const read = fromProperties({ rowKey: "r1", ...toProperties(legacy) });
    expect(read.modelBefore).toEqual({ backend: "classic", ...BLOB });
    expect(read.archivedModel).toEqual({ backend: "classic", ...BLOB });
  });
});

describe("job phases", () => {
  it("map every BES state, and only the end states end a poll", () => {
    expect(CLASSIC_PHASE).toEqual({ NotStarted: "pending", Running: "running", Finished: "succeeded", Failed: "failed", Cancelled: "cancelled" });
    expect(["pending", "running", "succeeded", "failed", "cancelled"].filter((p) => isEnded(p as never))).toEqual(["succeeded", "failed", "cancelled"]);
  });

  it("are read from results recorded before phases existed by their BES state; an unknown one keeps polling", () => {
    expect(phaseOf({ phase: "failed", state: "Finished" })).toBe("failed");
    expect(phaseOf({ state: "Finished" })).toBe("succeeded");
    expect(phaseOf({ state: "Cancelled" })).toBe("cancelled");
    expect(phaseOf({ state: "toString" })).toBe("running");
  });
});
