import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHostedPipeline, type HostedPipeline } from "../support/host";
import { getEndpoint, score } from "../support/rrs-client";
import { csvRows } from "../support/census";
import { syntheticCensusCsv } from "../../emulator/training/synthetic-census";

let p: HostedPipeline;
const probe = csvRows(syntheticCensusCsv(20, 5));

beforeAll(async () => {
  p = await startHostedPipeline({ speed: 200 });
});
afterAll(() => p.stop());

describe("live verification through the local host and service", () => {
  it("a PATCH that 'succeeds' without taking effect is caught, the archived model restored, and the run fails loudly", async () => {
    const endpoint = await getEndpoint(p.emulator, "retrain");
    const before = await score(p.emulator, endpoint, probe.columns, probe.rows);
    await p.emulator.admin("POST", "faults", { patchIgnored: { count: 1 } });
    try {
      expect((await p.call("POST", "/api/retrain", {})).status).toBe(202);
      const ended = await p.engine.waitUntilEnded("retrain-retrain");
      expect(ended.status).toBe("Failed");
      const status = (await p.call("GET", "/api/retrain/retrain-retrain")).body as Record<string, unknown>;
      expect(status).toMatchObject({ runtimeStatus: "Failed", result: "failed" });
      expect(String(status.reason)).toMatch(/did not pass live verification after 3 checks \(the endpoint lists .*, not the new model .*model\.ilearner\); rolled back to retrainer-archive\/retrain\/.*\/previous\.ilearner/);
      const calls = (await p.emulator.admin("GET", "calls")).body as Record<string, number>;
      expect(calls.patch).toBe(2);
      const after = await getEndpoint(p.emulator, "retrain");
      expect(after.Resources[0]!.Location.RelativeLocation).toMatch(/^retrainer-archive\/retrain\/.*\/previous\.ilearner$/);
      expect(await score(p.emulator, endpoint, probe.columns, probe.rows)).toEqual(before);
    } finally {
      await p.emulator.admin("DELETE", "faults");
    }
  });

  it("a normal promotion passes the canary: the endpoint answers the probe exactly as the new model did", async () => {
    expect((await p.call("POST", "/api/retrain", {})).status).toBe(202);
    await p.engine.waitUntilEnded("retrain-retrain");
    const status = (await p.call("GET", "/api/retrain/retrain-retrain")).body as { result: string; verification: string[] };
    expect(status.result).toBe("promoted");
    expect(status.verification[1]).toMatch(/^canary: all 20 probe rows scored as at training time/);
  });
});
