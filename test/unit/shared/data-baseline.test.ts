import { describe, expect, it } from "vitest";
import { dataBaseline } from "../../../shared/history/data-baseline";
import type { ListRunsOptions, RunPage } from "../../../shared/history/run-history";
import type { RunRecord, RunRecordResult } from "../../../shared/history/run-record";
import type { DataProfile } from "../../../shared/data/profile";

const PROFILE: DataProfile = { sha256: "p", bytes: 1, rows: 1, malformedRows: 0, columns: [] };
const record = (runId: string, result: RunRecordResult, o: Partial<RunRecord> = {}): RunRecord =>
  ({ runId, endpoint: "e", instanceId: "retrain-e", trigger: { kind: "http" }, dataSource: "d", gateRules: "", result, durationsInSeconds: {}, startedAt: "2026-12-03T00:00:00Z", ...o });

/** A history that serves `runs` (newest first) in pages of the asked size and counts the pages read. */
function history(runs: RunRecord[]) {
  const pages: ListRunsOptions[] = [];
  return {
    pages,
    list(o: ListRunsOptions): Promise<RunPage> {
      pages.push(o);
      const at = Number(o.continuationToken ?? 0);
      const next = at + o.limit!;
      return Promise.resolve({ runs: runs.slice(at, next), ...(next < runs.length ? { continuationToken: String(next) } : {}) });
    },
  };
}

describe("the data baseline a new run is compared with", () => {
  it("takes the last trained run's sha256 (not a dry run, skip or failure) and the last promoted run with a profile", async () => {
    const h = history([
      record("r6", "skipped", { dataSha256: "s6" }),
      record("r5", "dry-run", { dataSha256: "s5" }),
      record("r4", "failed", { dataSha256: "s4" }),
      record("r3", "rejected", { dataSha256: "s3", profile: PROFILE }),
      record("r2", "promoted", { dataSha256: "s2" }), // before profiles existed
      record("r1", "promoted", { dataSha256: "s1", profile: PROFILE }),
    ]);
    expect(await dataBaseline(h, "e")).toEqual({ previous: { runId: "r3", sha256: "s3" }, reference: "r1" });
  });

  it("reads page after page past a run of skips, stops when both are found, and gives up after 500 runs", async () => {
    const skips = Array.from({ length: 60 }, (_, i) => record(`s${i}`, "skipped", { dataSha256: "x" }));
    const found = history([...skips, record("p", "promoted", { dataSha256: "y", profile: PROFILE }), ...skips]);
    expect(await dataBaseline(found, "e")).toEqual({ previous: { runId: "p", sha256: "y" }, reference: "p" });
    expect(found.pages).toHaveLength(3);
    const never = history(Array.from({ length: 2_000 }, (_, i) => record(`s${i}`, "data-rejected")));
    expect(await dataBaseline(never, "e")).toEqual({});
    expect(never.pages.length * never.pages[0]!.limit!).toBe(500);
  });
});
