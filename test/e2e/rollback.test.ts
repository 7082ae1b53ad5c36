import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHostedPipeline, type HostedPipeline } from "../support/host";
import { getEndpoint, score } from "../support/rrs-client";
import { csvRows } from "../support/census";
import { syntheticCensusCsv } from "../../emulator/training/synthetic-census";
import type { RunRecord } from "../../shared/history/run-record";
import { TableClient } from "@azure/data-tables";
import { RunHistoryClient } from "../../shared/history/run-history";

let p: HostedPipeline;
const probe = csvRows(syntheticCensusCsv(15, 8));
const ID = "retrain-retrain";

beforeAll(async () => {
  p = await startHostedPipeline({ speed: 200 });
  writeFileSync(path.join(p.values.RETRAIN_DATA_ROOT!, "other.csv"), syntheticCensusCsv(6_000, 77));
});
afterAll(() => p.stop());

const scores = async () => score(p.emulator, await getEndpoint(p.emulator, "retrain"), probe.columns, probe.rows);
async function finish(start: Promise<{ status: number }>): Promise<Record<string, unknown>> {
  expect((await start).status).toBe(202);
  await p.engine.waitUntilEnded(ID);
  return (await p.call("GET", `/api/retrain/${ID}`)).body as Record<string, unknown>;
}

describe("manual rollback through the local host", () => {
  it("restores the model the named promotion replaced, the latest or an earlier one, through PATCH and verify", async () => {
    const seedScores = await scores();
    const a = await finish(p.call("POST", "/api/retrain", {}));
    const aScores = await scores();
    const b = await finish(p.call("POST", "/api/retrain", { dataSource: "other.csv" }));
    expect([a.result, b.result]).toEqual(["promoted", "promoted"]);
    expect(await scores()).not.toEqual(aScores);

    const back = await finish(p.call("POST", "/api/endpoints/retrain/rollback", { runId: b.runId }));
    expect(back).toMatchObject({ runtimeStatus: "Completed", result: "rolled-back", reason: `restored the model that run ${String(b.runId)} replaced (retrainer-archive/retrain/${String(b.runId)}/previous.ilearner)` });
    expect(await scores()).toEqual(aScores);

    const further = await finish(p.call("POST", "/api/endpoints/retrain/rollback", { runId: a.runId }));
    expect(further.result).toBe("rolled-back");
    expect(await scores()).toEqual(seedScores);

    const record = (await p.call("GET", `/api/runs/${String(back.runId)}`)).body as RunRecord;
    expect(record).toMatchObject({ result: "rolled-back", dataSource: `rollback of run ${String(b.runId)}`, modelAfter: { RelativeLocation: `retrainer-archive/retrain/${String(b.runId)}/previous.ilearner` } });
  });

  it("refuses rollbacks that cannot be done, by name, and changes nothing", async () => {
    const before = await getEndpoint(p.emulator, "retrain");
    const rejected = await finish(p.call("POST", "/api/retrain", { gate: "AUC>=0.999" }));
    const cases: [string, unknown, number, RegExp][] = [
      ["/api/endpoints/nope/rollback", {}, 404, /"nope" is not one this app manages/],
      ["/api/endpoints/retrain/rollback", { runId: "retrain-19990101T000000Z-000000" }, 404, /No run retrain-19990101T000000Z-000000/],
      ["/api/endpoints/retrain/rollback", { runId: rejected.runId }, 409, /has no archived model to roll back to \(it was rejected\); nothing was changed/],
      ["/api/endpoints/retrain/rollback", { runId: "x", force: true }, 400, /unknown field\(s\): force/],
    ];
    for (const [url, body, status, message] of cases) {
      const r = await p.call("POST", url, body);
      expect([r.status, (r.body as { error: string }).error]).toEqual([status, expect.stringMatching(message) as unknown]);
    }
    expect(await getEndpoint(p.emulator, "retrain")).toEqual(before);
  });

  it("a rollback names the promotion it undoes: without one, 400 names the latest; a latest one without an archive is refused by name", async () => {
    const before = await getEndpoint(p.emulator, "retrain");
    const promoted = await finish(p.call("POST", "/api/retrain", {}));
    expect(promoted.result).toBe("promoted");
    // The newest promotion replaced a model that could not be archived (its record has no archive).
    const history = new RunHistoryClient(TableClient.fromConnectionString(p.emulator.storageConnectionString, p.values.HISTORY_TABLE ?? "RetrainerRuns", { allowInsecureConnection: true }));
    const latest = (await history.get(String(promoted.runId)))!;
    const runId = "retrain-29990101T000000Z-abcdef";
    await history.upsert({ ...latest, runId, instanceId: ID, startedAt: "2999-01-01T00:00:00.000Z", endedAt: "2999-01-01T00:10:00.000Z", archivedModel: undefined });
    const afterPromotion = await getEndpoint(p.emulator, "retrain");
    const unnamed = await p.call("POST", "/api/endpoints/retrain/rollback");
    expect([unnamed.status, unnamed.body]).toEqual([400, {
      error: `"runId" is required: name the promotion to undo (GET /api/runs?endpoint=retrain lists them); the latest promotion of retrain is run ${runId} (2999-01-01T00:10:00.000Z). Nothing was changed.`,
      latestPromotion: runId,
    }]);
    const r = await p.call("POST", "/api/endpoints/retrain/rollback", { runId });
    expect([r.status, (r.body as { error: string }).error]).toEqual([409, `Run ${runId} has no archived model to roll back to (it replaced a model that could not be archived); nothing was changed.`]);
    expect(await getEndpoint(p.emulator, "retrain")).toEqual(afterPromotion);
    expect(afterPromotion).not.toEqual(before);
  });
});
