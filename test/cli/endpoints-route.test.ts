import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHostedPipeline, type HostedPipeline } from "../support/host";
import type { EndpointList, EndpointView } from "../../functions/triggers/endpoints";

let p: HostedPipeline;
const ID = "retrain-retrain";

beforeAll(async () => {
  p = await startHostedPipeline({ speed: 2_000, settings: { APPROVAL_TIMEOUT_HOURS: "10" } });
});
afterAll(() => p.stop());

describe("GET /api/endpoints and /api/endpoints/{name}", () => {
  it("shows what serves, the last run and a run waiting for a person, as the overview does", async () => {
    expect((await p.call("POST", "/api/retrain", {})).status).toBe(202);
    await p.engine.waitUntilEnded(ID);
    const promoted = ((await p.call("GET", `/api/retrain/${ID}`)).body as { runId: string }).runId;

    const started = await p.call("POST", "/api/retrain", { requireApproval: true });
    const waiting = (started.body as { runId: string }).runId;
    await expect.poll(async () => ((await p.call("GET", `/api/retrain/${ID}`)).body as { stage?: string }).stage, { timeout: 30_000, interval: 20 }).toBe("awaiting-approval");

    const list = await p.call("GET", "/api/endpoints");
    expect(list.status).toBe(200);
    const [one, ...rest] = (list.body as EndpointList).endpoints;
    expect(rest).toEqual([]);
    expect(one).toMatchObject({
      name: "retrain", configured: true, backend: "classic", counted: true, rejectedInARow: 0,
      serving: { runId: promoted, model: { backend: "classic", RelativeLocation: expect.stringMatching(new RegExp(`${promoted}/model\\.ilearner$`)) as unknown } },
      lastRun: { runId: promoted, result: "promoted", trigger: "http" },
      schedule: p.values.RETRAIN_SCHEDULE ?? expect.any(String),
      nextScheduledRun: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as unknown,
      active: [{ runId: waiting, instanceId: ID, stage: "awaiting-approval", awaitingApproval: true, approvalDeadline: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as unknown }],
    } satisfies Partial<Record<keyof EndpointView, unknown>>);
    expect(one!.daysSinceSuccess).toBeGreaterThanOrEqual(0);

    // one endpoint: the same row, the name taken case-insensitively
    const shown = await p.call("GET", "/api/endpoints/RETRAIN");
    expect(shown.status).toBe(200);
    expect(shown.body).toMatchObject({ name: "retrain", serving: { runId: promoted }, active: [{ runId: waiting }] });
    expect((await p.call("POST", `/api/retrain/${ID}/reject`, { runId: waiting })).status).toBe(202);
    await p.engine.waitUntilEnded(ID);
  });

  it("answers an unknown endpoint with 404 naming it, and refuses a caller without the key", async () => {
    const unknown = await p.call("GET", "/api/endpoints/nope");
    expect(unknown.status).toBe(404);
    expect((unknown.body as { error: string }).error).toMatch(/^No endpoint "nope": it is not configured \(retrain\)/);
    expect((await p.call("GET", "/api/endpoints/a%2Fb")).status).toBe(404);
    expect((await p.call("GET", "/api/endpoints", undefined, null)).status).toBe(401);
    expect((await p.call("GET", "/api/endpoints/retrain", undefined, null)).status).toBe(401);
    expect((await p.call("GET", "/api/endpoints/retrain", undefined, "wrong-key")).status).toBe(401);
  });
});
