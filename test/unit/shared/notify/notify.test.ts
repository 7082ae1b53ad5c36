import { describe, expect, it } from "vitest";
import { sign, toCard, toCloudEvent, verify, type Notification, type WebhookTarget } from "../../../../shared/notify/events";
import { deliver, describeTarget, type Post } from "../../../../shared/notify/delivery";
import { notifyActivities } from "../../../../functions/activities/notify";
import { MemoryTelemetry } from "../../../../shared/telemetry/telemetry";
import type { DeliveryRecord } from "../../../../shared/history/run-history";
import type * as df from "durable-functions";

const SECRET = "a-webhook-secret-of-thirty-two-chars!!";
const N: Notification = {
  runId: "retrain-20261203T101010Z-abc123", endpoint: "retrain", instanceId: "retrain-retrain", event: "awaiting-approval", time: "2026-12-03T10:20:00.000Z",
  summary: "the new model passed the gate and waits for approval", metrics: { AUC: 0.9123456, Accuracy: 0.85 },
};
const BASE = "https://retrainer.example.net";

describe("notifications as the receivers get them", () => {
  it("a CloudEvent 1.0 whose id is the run's and the event's, with the status, record, approve and reject links", () => {
    const e = toCloudEvent(N, BASE) as { data: { links: Record<string, string> } } & Record<string, unknown>;
    expect(e).toMatchObject({ specversion: "1.0", id: `${N.runId}:awaiting-approval`, type: "com.retrainer.run.awaiting-approval", source: "/retrainer/endpoints/retrain", subject: N.runId, time: N.time });
    expect(e.data.links).toEqual({
      status: `${BASE}/api/retrain/retrain-retrain`, record: `${BASE}/api/runs/${N.runId}`,
      approve: `${BASE}/api/retrain/retrain-retrain/approve?runId=${N.runId}`, reject: `${BASE}/api/retrain/retrain-retrain/reject?runId=${N.runId}`,
    });
    expect((toCloudEvent({ ...N, event: "promoted" }, BASE) as { data: { links: Record<string, string> } }).data.links).not.toHaveProperty("approve");
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

  it("Teams gets a MessageCard and Slack a text message, each with the approval links", () => {
    const teams = toCard(N, BASE, "teams") as { "@type": string; themeColor: string; sections: { facts: { name: string; value: string }[] }[]; potentialAction: { targets: { uri: string }[] }[] };
    expect(teams["@type"]).toBe("MessageCard");
    expect(teams.sections[0]!.facts).toContainEqual({ name: "AUC", value: "0.9123" });
    expect(teams.potentialAction.map((a) => a.targets[0]!.uri)).toEqual([`${BASE}/api/retrain/retrain-retrain`, `${BASE}/api/retrain/retrain-retrain/approve?runId=${N.runId}`, `${BASE}/api/retrain/retrain-retrain/reject?runId=${N.runId}`]);
    const slack = toCard(N, BASE, "slack") as { text: string };
    expect(slack.text).toContain("*retrainer: retrain is waiting for approval*");
    expect(slack.text).toContain(`approve: POST ${BASE}/api/retrain/retrain-retrain/approve?runId=${N.runId}`);
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
    const existing = new Set<string>();
    const client = {
      getStatus: (id: string) => Promise.resolve(existing.has(id) ? { instanceId: id } : undefined),
      startNew: (_name: string, o: { instanceId: string }) => (started.push(o.instanceId), existing.add(o.instanceId), Promise.resolve(o.instanceId)),
    } as unknown as df.DurableClient;
    const recorded: DeliveryRecord[] = [];
    const telemetry = new MemoryTelemetry();
    const a = notifyActivities(client, {
      history: { recordDelivery: (d) => (recorded.push(d), Promise.resolve()) }, telemetry, targets: () => targets, secret: SECRET,
      appBaseUrl: () => BASE, firstRetryInSeconds: 10, post: () => Promise.resolve(answers.shift() ?? 200), now: () => Date.parse("2026-12-03T10:00:00Z"),
    });
    return { a, started, recorded, telemetry };
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

  it("deliver: a webhook removed from the settings since is given up on, not posted", async () => {
    const w = world([]);
    expect(await w.a.deliverWebhook({ notification: N, webhook: 7, attempt: 1, last: false })).toEqual({ kind: "ok", value: { ok: false, retryable: false } });
    expect(w.recorded).toMatchObject([{ target: "(removed)", gaveUp: true, error: "the webhook is no longer configured" }]);
  });
});
