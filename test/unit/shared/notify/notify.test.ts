import { describe, expect, it } from "vitest";
import { sign, toCloudEvent, verify, type Notification, type WebhookTarget } from "../../../../shared/notify/events";
import { verifyLinkToken } from "../../../../shared/console/link-token";
import { deliver, describeTarget, type Post } from "../../../../shared/notify/delivery";
import { notifyActivities } from "../../../../functions/activities/notify";
import { MemoryTelemetry } from "../../../../shared/telemetry/telemetry";
import type { DeliveryRecord } from "../../../../shared/history/run-history";
import type * as df from "durable-functions";

const SECRET = "a-webhook-secret-of-thirty-two-chars!!";
const CONSOLE_SECRET = "a-console-secret-of-thirty-two-chars!!";
const N: Notification = {
  runId: "retrain-20261203T101010Z-abc123", endpoint: "retrain", instanceId: "retrain-retrain", event: "awaiting-approval", time: "2026-12-03T10:20:00.000Z",
  summary: "the new model passed the gate and waits for approval", metrics: { AUC: 0.9123456, Accuracy: 0.85 },
};
const BASE = "https://retrainer.example.net";

describe("notifications as the receivers get them", () => {
  it("a CloudEvent 1.0 whose id is the run's and the event's, with the status, record, approve and reject links, and the run's console page", () => {
    const e = toCloudEvent(N, BASE) as { data: { links: Record<string, string> } } & Record<string, unknown>;
    expect(e).toMatchObject({ specversion: "1.0", id: `${N.runId}:awaiting-approval`, type: "com.retrainer.run.awaiting-approval", source: "/retrainer/endpoints/retrain", subject: N.runId, time: N.time });
    expect(e.data.links).toEqual({
      status: `${BASE}/api/retrain/retrain-retrain`, record: `${BASE}/api/runs/${N.runId}`, console: `${BASE}/api/console/runs/${N.runId}`,
      approve: `${BASE}/api/retrain/retrain-retrain/approve?runId=${N.runId}`, reject: `${BASE}/api/retrain/retrain-retrain/reject?runId=${N.runId}`,
    });
    expect((toCloudEvent({ ...N, event: "promoted" }, BASE) as { data: { links: Record<string, string> } }).data.links).not.toHaveProperty("approve");
  });

  it("names the metrics canonically, also for a run whose metrics still carry Evaluate Model's names", () => {
    const data = (n: Notification) => (toCloudEvent(n, BASE) as { data: { metrics: Record<string, number> } }).data.metrics;
    expect(data(N)).toEqual({ auc: 0.9123456, accuracy: 0.85 });
    expect(data({ ...N, metrics: { auc: 0.9, log_loss: 0.3 } })).toEqual({ auc: 0.9, log_loss: 0.3 });
  });

  it("the signature is HMAC-SHA256 of the exact body: verified with the secret, refused with another, a changed body or no header", () => {
    const body = JSON.stringify(toCloudEvent(N, BASE));
    const header = sign(SECRET, body);
    expect(header).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verify(SECRET, body, header)).toBe(true);
    expect(verify(`${SECRET}x`, body, header)).toBe(false);
    expect(verify(SECRET, `${body} `, header)).toBe(false);
    expect(verify(SECRET, body, undefined)).toBe(false);
    expect(verify(SECRET, body, "sha256=00")).toBe(false);
  });

  it("each chat gets its own card, whose approve and reject buttons open the console's confirm page for this run and decision", async () => {
    const bodies: Record<string, unknown>[] = [];
    const post: Post = (_u, _h, b) => (bodies.push(JSON.parse(b) as Record<string, unknown>), Promise.resolve(200));
    for (const format of ["teams", "teams-workflow", "slack"] as const) {
      await deliver(post, { url: "https://chat.example/x", format }, N, { consoleSecret: CONSOLE_SECRET, appBaseUrl: BASE, now: () => Date.parse(N.time) });
    }
    const [teams, workflow, slack] = bodies as [
      { "@type": string; potentialAction: { name: string; targets: { uri: string }[] }[] },
      { attachments: { content: { type: string; actions: { title: string; url: string }[] } }[] },
      { blocks: { type: string; elements?: { text: { text: string }; url: string }[] }[] },
    ];
    const buttons = [
      teams.potentialAction.map((a) => [a.name, a.targets[0]!.uri]),
      workflow.attachments[0]!.content.actions.map((a) => [a.title, a.url]),
      slack.blocks.find((b) => b.type === "actions")!.elements!.map((e) => [e.text.text, e.url]),
    ];
    for (const shown of buttons) {
      expect(shown.map(([label]) => label)).toEqual(["Review and approve", "Review and reject", "Open run"]);
      expect(shown[2]![1]).toBe(`${BASE}/api/console/runs/${N.runId}`);
      for (const [i, decision] of [[0, "approve"], [1, "reject"]] as const) {
        const url = new URL(shown[i]![1]!);
        expect(`${url.origin}${url.pathname}`).toBe(`${BASE}/api/console/confirm`);
        const check = verifyLinkToken(CONSOLE_SECRET, url.searchParams.get("token")!, Date.parse(N.time));
        expect(check).toMatchObject({ ok: true, claims: { runId: N.runId, instanceId: N.instanceId, endpoint: N.endpoint, decision } });
      }
    }
    expect(teams["@type"]).toBe("MessageCard");
    expect(workflow.attachments[0]!.content.type).toBe("AdaptiveCard");
  });

  it("a webhook is shown by its origin and the start of its path, never the rest (a chat's URL is its own secret)", () => {
    expect(describeTarget("https://hooks.slack.com/services/T000/B000/XXXXSECRET")).toBe("https://hooks.slack.com/services/…");
    expect(describeTarget("https://example.com/?token=abc")).toBe("https://example.com/");
  });
});

describe("one delivery attempt", () => {
  const target: WebhookTarget = { url: "https://receiver.example/hook", format: "cloudevents" };
  const attempt = (post: Post) => deliver(post, target, N, { secret: SECRET, appBaseUrl: BASE, now: () => 0 });

  it.each([[200, true, false], [204, true, false], [500, false, true], [503, false, true], [408, false, true], [429, false, true], [400, false, false], [404, false, false], [302, false, false]])(
    "answered %i: ok %s, retried %s", async (status, ok, retryable) => {
      const r = await attempt(() => Promise.resolve(status));
      expect(r).toMatchObject({ ok, retryable, status });
    });

  it("no answer is retried, and the error names neither the URL nor the secret", async () => {
    const r = await attempt(() => Promise.reject(Object.assign(new TypeError("fetch failed https://receiver.example/hook"), { cause: { code: "ECONNREFUSED" } })));
    expect(r).toEqual({ ok: false, retryable: true, error: "no answer (ECONNREFUSED)", durationInMs: 0 });
  });

  it("signs CloudEvents only: a chat card carries no signature header", async () => {
    const sent: Record<string, string>[] = [];
    const post: Post = (_u, h) => (sent.push({ ...h }), Promise.resolve(200));
    await attempt(post);
    await deliver(post, { url: "https://chat.example/x", format: "teams" }, N, { secret: SECRET, appBaseUrl: BASE, now: () => 0 });
    expect(sent[0]).toHaveProperty("X-Retrainer-Signature");
    expect(sent[1]).not.toHaveProperty("X-Retrainer-Signature");
  });
});

describe("the notify activities", () => {
  const targets: WebhookTarget[] = [
    { url: "https://a.example/all", format: "cloudevents" },
    { url: "https://b.example/promoted", format: "cloudevents", events: ["promoted"] },
    { url: "https://c.example/approvals", format: "slack", events: ["awaiting-approval"] },
  ];
  function world(answers: number[]) {
    const started: string[] = [];
    const posted: string[] = [];
    const existing = new Set<string>();
    const client = {
      getStatus: (id: string) => Promise.resolve(existing.has(id) ? { instanceId: id } : undefined),
      startNew: (_name: string, o: { instanceId: string }) => (started.push(o.instanceId), existing.add(o.instanceId), Promise.resolve(o.instanceId)),
    } as unknown as df.DurableClient;
    const recorded: DeliveryRecord[] = [];
    const telemetry = new MemoryTelemetry();
    const a = notifyActivities(client, {
      history: { recordDelivery: (d) => (recorded.push(d), Promise.resolve()) }, telemetry, targets: () => targets, secret: SECRET, consoleSecret: CONSOLE_SECRET,
      appBaseUrl: () => BASE, firstRetryInSeconds: 10, post: (_u, _h, body) => (posted.push(body), Promise.resolve(answers.shift() ?? 200)), now: () => Date.parse("2026-12-03T10:00:00Z"),
    });
    return { a, started, posted, recorded, telemetry };
  }

  it("start: one delivery orchestration per webhook that wants the event, none twice", async () => {
    const w = world([]);
    expect(await w.a.startNotifications(N)).toEqual({ kind: "ok", value: { webhooks: 2 } });
    expect(w.started).toEqual([`notify-${N.runId}-awaiting-approval-0`, `notify-${N.runId}-awaiting-approval-2`]);
    await w.a.startNotifications(N);
    expect(w.started).toHaveLength(2);
  });

  it("deliver: records every attempt; a failure is told to operators only when it is the last", async () => {
    const w = world([503, 503]);
    const n = { ...N, event: "promoted" as const };
    expect(await w.a.deliverWebhook({ notification: n, webhook: 1, attempt: 1, last: false })).toEqual({ kind: "ok", value: { ok: false, retryable: true } });
    expect(w.telemetry.events).toHaveLength(0);
    await w.a.deliverWebhook({ notification: n, webhook: 1, attempt: 6, last: true });
    expect(w.recorded.map((r) => [r.attempt, r.status, r.gaveUp])).toEqual([[1, 503, undefined], [6, 503, true]]);
    expect(w.recorded[0]).toMatchObject({ target: "https://b.example/promoted/…", format: "cloudevents", at: "2026-12-03T10:00:00.000Z" });
    expect(w.telemetry.events).toMatchObject([{ name: "NotificationFailed", properties: { event: "promoted", attempt: "6", error: "HTTP 503" } }]);
    await w.a.deliverWebhook({ notification: n, webhook: 0, attempt: 1, last: false });
    expect(w.telemetry.events.at(-1)).toMatchObject({ name: "NotificationDelivered" });
  });

  it("deliver: a chat card's links are made per attempt, signed with the console secret; neither the secret nor a link is recorded or told", async () => {
    const w = world([503, 200]);
    const n = { ...N, approvalDeadline: "2026-12-04T10:20:00.000Z" };
    await w.a.deliverWebhook({ notification: n, webhook: 2, attempt: 1, last: false });
    await w.a.deliverWebhook({ notification: n, webhook: 2, attempt: 2, last: false });
    const tokens = w.posted.map((b) => new URL((JSON.parse(b) as { blocks: { type: string; elements?: { url: string }[] }[] }).blocks.find((x) => x.type === "actions")!.elements![0]!.url).searchParams.get("token")!);
    const claims = tokens.map((t) => verifyLinkToken(CONSOLE_SECRET, t, Date.parse("2026-12-03T10:00:00Z")));
    expect(claims.map((c) => c.ok && [c.claims.decision, c.claims.expiresAt])).toEqual([["approve", Date.parse(n.approvalDeadline) / 1000], ["approve", Date.parse(n.approvalDeadline) / 1000]]);
    // each attempt's link is one-time on its own: a message delivered twice does not share one
    expect(new Set(claims.map((c) => c.ok && c.claims.id)).size).toBe(2);
    const kept = JSON.stringify(w.recorded) + JSON.stringify(w.telemetry.events);
    for (const secret of [CONSOLE_SECRET, SECRET, ...tokens, "token="]) expect(kept).not.toContain(secret);
    expect(w.recorded.map((r) => [r.format, r.target, r.status])).toEqual([["slack", "https://c.example/approvals/…", 503], ["slack", "https://c.example/approvals/…", 200]]);
  });

  it("deliver: a webhook removed from the settings since is given up on, not posted", async () => {
    const w = world([]);
    expect(await w.a.deliverWebhook({ notification: N, webhook: 7, attempt: 1, last: false })).toEqual({ kind: "ok", value: { ok: false, retryable: false } });
    expect(w.recorded).toMatchObject([{ target: "(removed)", gaveUp: true, error: "the webhook is no longer configured" }]);
  });
});
