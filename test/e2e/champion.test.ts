import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHostedPipeline, type HostedPipeline } from "../support/host";
import { getEndpoint } from "../support/rrs-client";
import { syntheticCensusCsv } from "../../emulator/training/synthetic-census";

let p: HostedPipeline;

beforeAll(async () => {
  // The thin batch is a third of the first run's rows: let it past the truncated-export check.
  p = await startHostedPipeline({ settings: { RETRAIN_DATA_CHECKS: '{"minRowsShareOfReference":0.2}' } });
  // A smaller batch: its model clears a lenient absolute bar but ranks the same held-out rows worse than the model serving (trained on 6,000 rows).
  writeFileSync(path.join(p.values.RETRAIN_DATA_ROOT!, "thin.csv"), syntheticCensusCsv(2_000, 99));
});
afterAll(() => p.stop());

async function runToEnd(body: unknown): Promise<Record<string, unknown>> {
  expect((await p.call("POST", "/api/retrain", body)).status).toBe(202);
  await p.engine.waitUntilEnded("retrain-retrain");
  return (await p.call("GET", "/api/retrain/retrain-retrain")).body as Record<string, unknown>;
}

describe("champion/challenger through the local host and service", () => {
  it("rejects a challenger worse than the serving model on the same rows, though above the absolute threshold", async () => {
    const first = await runToEnd({ gate: "AUC>=0.85" });
    expect(first).toMatchObject({ result: "promoted" });
    const serving = (await getEndpoint(p.emulator, "retrain")).Resources[0]!.Location;

    const second = await runToEnd({ dataSource: "thin.csv", gate: "AUC>=0.6; AUC>=champion-0.005" });
    const decision = second.decision as { passed: boolean; comparedWithChampion: boolean; reasons: string[] };
    const metrics = second.metrics as Record<string, number>;
    const champion = second.championMetrics as Record<string, number>;
    console.log(`rejected decision as the user sees it:\n  ${decision.reasons.join("\n  ")}`);
    expect(second.result).toBe("rejected");
    expect(metrics.auc).toBeGreaterThanOrEqual(0.6);
    expect(champion.auc).toBeGreaterThan(metrics.auc! + 0.005);
    expect(decision).toMatchObject({ passed: false, comparedWithChampion: true });
    expect(decision.reasons[1]).toMatch(/^auc is 0\.\d+ against the champion's 0\.\d+, fails the rule: at least champion-0\.005 = 0\.\d+\.$/);
    expect((await getEndpoint(p.emulator, "retrain")).Resources[0]!.Location).toEqual(serving);
  });
});
