import { createServer, type Server } from "node:http";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { syntheticCensusCsv } from "../../emulator/training/synthetic-census";
import { startHostedPipeline, type HostedPipeline } from "../support/host";
import { expectNoSecrets, secrets, storedState, waitFor, world } from "./world";

/**
 * Issue 14 as an attacker with the function key replays it: data sources that reach what they
 * must not, gates that would pass anything, forged approvals, racing requests. None may start a
 * job or change the endpoint, and afterwards no secret is in an answer, a log line, or what the
 * app stored (instance inputs, outputs and histories, run records, blob metadata).
 */
let p: HostedPipeline;
let redirector: Server;
let redirectorUrl: string;
const answers: string[] = [];
const ID = "retrain-retrain";

beforeAll(async () => {
  // Loopback sources allowed, as only a local setting can: the redirector below is on loopback.
  p = await startHostedPipeline({ speed: 200, settings: { RETRAIN_ALLOW_LOOPBACK_SOURCES: "true" } });
  writeFileSync(path.join(p.values.RETRAIN_DATA_ROOT!, "other.csv"), syntheticCensusCsv(6_000, 77));
  // Answers every path with a redirect to the target its path names.
  redirector = createServer((req, res) => {
    const hops = /^\/hops\/(\d+)$/.exec(req.url ?? "");
    if (hops) {
      const n = Number(hops[1]);
      res.writeHead(302, { Location: n > 0 ? `/hops/${n - 1}` : "/data.csv" }).end();
      return;
    }
    if (req.url === "/data.csv") return void res.writeHead(200, { "Content-Type": "text/csv" }).end(syntheticCensusCsv(500, 3));
    res.writeHead(302, { Location: decodeURIComponent((req.url ?? "/").slice(1)) }).end();
  });
  await new Promise<void>((r) => redirector.listen(0, "127.0.0.1", r));
  redirectorUrl = `http://127.0.0.1:${(redirector.address() as { port: number }).port}`;
}, 60_000);
afterAll(async () => {
  await p.stop();
  redirector.close();
});

const call = async (method: string, url: string, body?: unknown, headers?: Record<string, string>) => {
  const r = await p.call(method, url, body, undefined, headers);
  // A 202's management links carry the system key, as Azure's do: that is where the caller needs it.
  const webhookLink = (v: unknown) => typeof v === "string" && v.startsWith(`${p.host.url}/runtime/webhooks/durabletask/`);
  const shown = r.status === 202 && r.body && typeof r.body === "object" ? Object.fromEntries(Object.entries(r.body).filter(([, v]) => !webhookLink(v))) : r.body;
  answers.push(`${r.status} ${JSON.stringify(shown)}`);
  return r;
};
const end = async () => (await p.engine.waitUntilEnded(ID)).customStatus as { result?: string; reason?: string; stage?: string; runId?: string };

describe("data sources that lead where they must not", () => {
  it.each([
    ["the instance metadata service", "http://169.254.169.254/metadata/identity/oauth2/token?resource=https://management.azure.com/"],
    ["the metadata service as an IPv4-mapped IPv6 address", "http://[::ffff:169.254.169.254]/metadata/instance"],
    ["a private address", "http://10.0.0.1/census.csv"],
    ["another private range", "https://192.168.1.1/census.csv"],
    ["the link-local range", "http://169.254.0.1/"],
    ["an internal name that does not resolve (no DNS oracle)", "https://no-such-host.invalid/census.csv"],
  ])("a URL that redirects to %s: the run ends at staging with one generic reason, nothing submitted", async (_what, target) => {
    const jobsBefore = (await world(p)).jobs;
    expect((await call("POST", "/api/retrain", { dataSource: `${redirectorUrl}/${encodeURIComponent(target)}` })).status).toBe(202);
    const s = await end();
    expect(s.result).toBe("failed");
    // It names the URL the caller gave, not where the redirect led.
    expect(s.reason).toBe(`staging the training data failed: Data source URL ${redirectorUrl} was refused: it, or a redirect from it, leads to an address this app does not fetch data from.`);
    expect((await world(p)).jobs).toBe(jobsBefore);
  });

  it("more than 5 redirects: refused at staging, nothing submitted; 5 are followed", async () => {
    const jobsBefore = (await world(p)).jobs;
    expect((await call("POST", "/api/retrain", { dataSource: `${redirectorUrl}/hops/6`, dryRun: true })).status).toBe(202);
    expect(await end()).toMatchObject({ result: "failed", reason: expect.stringMatching(/redirect/) as unknown });
    expect((await world(p)).jobs).toBe(jobsBefore);
    expect((await call("POST", "/api/retrain", { dataSource: `${redirectorUrl}/hops/4`, dryRun: true })).status).toBe(202);
    expect(await end()).toMatchObject({ result: "dry-run" });
  });

  it.each(["retrainer-durable", "retrainer-archive", "retrainer-runs", "azure-webjobs-secrets", "azure-webjobs-hosts", "$logs"])("blob:%s/… → 400, nothing starts", async (container) => {
    const before = await world(p);
    const r = await call("POST", "/api/retrain", { dataSource: `blob:${container}/anything.csv` });
    expect(r.status).toBe(400);
    expect(await world(p)).toEqual(before);
  });
});

describe("gates that would pass anything", () => {
  it.each(["AUC>=NaN", "AUC>=Infinity", "AUC>=-Infinity", "AUC>=1e309", "AUC>=0x1", "AUC>=champion*NaN", "AUC>=champion+Infinity", "AUC>=champion*1e309", "AUC<=1", "Average Log Loss<=1e308"])("%s → 400, nothing starts", async (gate) => {
    const before = await world(p);
    const r = await call("POST", "/api/retrain", { gate });
    expect(r.status).toBe(400);
    expect(await world(p)).toEqual(before);
  });
});

describe("forged approvals and racing requests", () => {
  const awaiting = async (): Promise<string> => {
    const started = await call("POST", "/api/retrain", { requireApproval: true, dataSource: "other.csv" });
    expect(started.status).toBe(202);
    await waitFor(async () => ((await p.call("GET", `/api/retrain/${ID}`)).body as { stage?: string }).stage, "awaiting-approval");
    return (started.body as { runId: string }).runId;
  };

  it("an approver named by a header the caller sets is not believed: the record says \"function key\"", async () => {
    const runId = await awaiting();
    const r = await call("POST", `/api/retrain/${ID}/approve`, { runId, comment: "as the CEO" }, { "x-ms-client-principal-name": "ceo@contoso.com", "x-ms-client-principal-id": "1", "x-ms-client-principal": Buffer.from(JSON.stringify({ claims: [{ typ: "name", val: "ceo@contoso.com" }] })).toString("base64") });
    expect(r.status).toBe(202);
    const s = await end();
    const record = (await call("GET", `/api/runs/${String(s.runId)}`)).body as { approval?: { by?: string } };
    expect(record.approval?.by).toBe("function key");
  });

  it("an approval event forged through the webhook with a string \"false\", a number, or an oversized comment is not an approval: ignored and shown, the run still waits", async () => {
    const jobsBefore = (await world(p)).jobs;
    const runId = await awaiting();
    const payloads = [{ approved: "false", runId }, { approved: 1, runId }, { approved: true, by: "x", runId, comment: "x".repeat(100_000) }];
    for (const payload of payloads) {
      const raised = await p.call("POST", `/runtime/webhooks/durabletask/instances/${ID}/raiseEvent/ApprovalDecision?code=${encodeURIComponent(p.systemKey)}`, payload, null, { "Content-Type": "application/json" });
      expect(raised.status).toBe(202);
    }
    await waitFor(async () => ((await p.call("GET", `/api/retrain/${ID}`)).body as { approval?: { ignored?: unknown[] } }).approval?.ignored?.length, payloads.length);
    const waiting = (await p.call("GET", `/api/retrain/${ID}`)).body as { stage: string; approval: { ignored: { problem: string }[] } };
    expect(waiting.stage).toBe("awaiting-approval");
    expect(waiting.approval.ignored.map((i) => i.problem)).toEqual([
      'it could not be read ("approved" is the text "false", not true or false)',
      'it could not be read ("approved" is 1, not true or false)',
      'it could not be read ("comment" must be text of at most 1024 characters)',
    ]);
    expect((await call("POST", `/api/retrain/${ID}/reject`, { runId })).status).toBe(202);
    expect(await end()).toMatchObject({ result: "rejected", reason: "rejected by function key" });
    expect((await world(p)).jobs).toBe(jobsBefore + 1);
  });

  it("ten starts at once for one endpoint: one run, one job", async () => {
    const jobsBefore = (await world(p)).jobs;
    const r = await Promise.all(Array.from({ length: 10 }, () => call("POST", "/api/retrain", { dataSource: "other.csv" })));
    expect(r.map((x) => x.status).sort()).toEqual([202, ...Array<number>(9).fill(409)]);
    expect((await end()).result).toMatch(/promoted|rejected/);
    expect((await world(p)).jobs).toBe(jobsBefore + 1);
  });
});

describe("afterwards", () => {
  it("no secret in any answer, log line or stored state", async () => {
    const known = secrets(p);
    expect(answers.length).toBeGreaterThan(20);
    expectNoSecrets(answers.join("\n"), known, "the answers");
    expectNoSecrets(p.logs.join("\n"), known, "the host's log");
    const stored = await storedState(p);
    expect(stored).toMatch(/"runId"/); // the histories and records are really there to be searched
    expectNoSecrets(stored, known, "the app's stored state");
  });
});
