import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { startHostedPipeline, type HostedPipeline } from "../support/host";
import { SIGNATURE_HEADER, verify } from "../../shared/notify/events";
import { verifyLinkToken } from "../../shared/console/link-token";
import type { DeliveryRecord } from "../../shared/history/run-history";
import type { RunRecord } from "../../shared/history/run-record";

/**
 * Webhooks hear about runs, on whichever engine the suite runs: a receiver checks each CloudEvent's
 * signature as a user's would, one that is briefly unavailable is retried, one that is down is
 * retried to the end and recorded, and none of it changes or delays what the run did. Each chat
 * webhook gets its card, whose approval buttons open the console's confirm page for that run, and
 * the CloudEvent's API link approves the run.
 */
const SECRET = "webhook-secret-for-the-tests-0123456789";
const CONSOLE_SECRET = "console-secret-for-the-tests-0123456789";
const RUN = "retrain-retrain";

interface Received {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}
const received: Received[] = [];
const flakyAnswers = [503, 503];
let receiver: Server;
let p: HostedPipeline;

const listen = (s: Server) => new Promise<number>((resolve) => s.listen(0, "127.0.0.1", () => resolve((s.address() as AddressInfo).port)));

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      res.statusCode = req.url === "/flaky" ? (flakyAnswers.shift() ?? 200) : 200;
      res.end("ok");
    });
  });
  const port = await listen(receiver);
  // A port nothing listens on: a receiver that is down.
  const gone = createServer();
  const downPort = await listen(gone);
  await new Promise((r) => gone.close(r));
  const base = `http://127.0.0.1:${port}`;
  p = await startHostedPipeline({
    speed: 200,
    settings: {
      RETRAIN_GATE: "AUC>=0.8",
      RETRAIN_WEBHOOK_SECRET: SECRET,
      RETRAIN_CONSOLE_SECRET: CONSOLE_SECRET,
      // 2 s, 12 s, 1 min, 3 min, 12 min: about 16 minutes of retries, 5 s of real time at 200×.
      RETRAIN_WEBHOOK_FIRST_RETRY_SECONDS: "2",
      RETRAIN_WEBHOOKS: JSON.stringify([
        { url: `${base}/events` },
        { url: `${base}/flaky`, events: ["promoted", "rejected"] },
        { url: `http://127.0.0.1:${downPort}/down`, events: ["promoted"] },
      ]),
      RETRAIN_ENDPOINT_SETTINGS: JSON.stringify({
        retrain: {
          webhooks: [
            { url: `${base}/teams/chat-secret-path`, format: "teams", events: ["awaiting-approval"] },
            { url: `${base}/workflow/chat-secret-path?sig=flow-sig`, format: "teams-workflow", events: ["awaiting-approval"] },
            { url: `${base}/slack/chat-secret-path`, format: "slack", events: ["awaiting-approval"] },
          ],
        },
      }),
    },
  });
});
afterAll(async () => {
  await p?.stop();
  await new Promise((r) => receiver?.close(r));
});

const cloudEvents = (type: string) => received.filter((r) => r.path === "/events" && (JSON.parse(r.body) as { type: string }).type === type);

/** A run's deliveries once `count` attempts (all webhooks, all events) are recorded. */
async function deliveriesOf(runId: string, count: number): Promise<DeliveryRecord[]> {
  let out: DeliveryRecord[] = [];
  await expect.poll(async () => {
    out = ((await p.call("GET", `/api/runs/${runId}`)).body as { deliveries?: DeliveryRecord[] }).deliveries ?? [];
    return out.length;
  }, { timeout: 60_000, interval: 200 }).toBe(count);
  return out;
}

describe("webhooks hear about runs", () => {
  it("a promotion: a signed CloudEvent, a flaky receiver retried until it answers, a receiver that is down retried to the end; the run is unaffected", async () => {
    expect((await p.call("POST", "/api/retrain", {})).status).toBe(202);
    const run = await p.engine.waitUntilEnded(RUN);
    expect(run.status).toBe("Completed");
    const runId = (run.customStatus as { runId: string }).runId;
    // The run ended while the receiver that is down still had 16 minutes of retries ahead: nothing waited for a receiver.
    const downDeliveries = await p.engine.instance(`notify-${runId}-promoted-2`);
    expect(downDeliveries?.status).toMatch(/^(Pending|Running)$/);
    const record = (await p.call("GET", `/api/runs/${runId}`)).body as RunRecord;
    expect(record.result).toBe("promoted");

    // 1 to /events, 3 to /flaky (503, 503, 200), 6 to the receiver that is down.
    const deliveries = await deliveriesOf(runId, 10);
    const of = (w: number) => deliveries.filter((d) => d.webhook === w);
    expect(of(0)).toMatchObject([{ event: "promoted", attempt: 1, ok: true, status: 200, format: "cloudevents" }]);
    expect(of(1).map((d) => d.status)).toEqual([503, 503, 200]);
    expect(of(1).at(-1)).toMatchObject({ ok: true, attempt: 3 });
    expect(of(2)).toHaveLength(6);
    expect(of(2).every((d) => !d.ok && /^no answer/.test(d.error ?? ""))).toBe(true);
    expect(of(2).at(-1)).toMatchObject({ attempt: 6, gaveUp: true });

    // What the receiver checks: the signature over the exact bytes, with the shared secret only.
    const [got] = cloudEvents("com.retrainer.run.promoted");
    expect(got).toBeDefined();
    const signature = got!.headers[SIGNATURE_HEADER.toLowerCase()] as string;
    expect(verify(SECRET, got!.body, signature)).toBe(true);
    expect(verify("another-secret-of-the-same-length-0000000", got!.body, signature)).toBe(false);
    expect(verify(SECRET, got!.body.replace("promoted", "rejected"), signature)).toBe(false);
    expect(got!.headers["content-type"]).toMatch(/^application\/cloudevents\+json/);
    const event = JSON.parse(got!.body) as { specversion: string; id: string; source: string; subject: string; time: string; data: { runId: string; summary: string; model: string; metrics: Record<string, number>; links: Record<string, string> } };
    expect(event).toMatchObject({ specversion: "1.0", id: `${runId}:promoted`, source: "/retrainer/endpoints/retrain", subject: runId });
    expect(event.data.model).toContain(`${runId}/model.ilearner`);
    expect(event.data.metrics.auc).toBe(record.metrics!.auc);
    expect(event.data.summary).toMatch(/meets the rule: at least 0\.8/);
    // the record link is the app's own API, and answers with the record
    expect((await p.call("GET", new URL(event.data.links.record!).pathname)).body).toMatchObject({ runId, result: "promoted" });
    console.log(`promoted run ${runId}: ${SIGNATURE_HEADER}: ${signature.slice(0, 19)}… verified with the secret, refused with another; deliveries ${JSON.stringify(deliveries.map((d) => `${d.webhook}#${d.attempt}:${d.status ?? d.error}`))}`);
    // nothing sent or recorded carries a secret or the chat webhook's path
    const everything = JSON.stringify(received) + JSON.stringify(deliveries) + p.logs.join("\n");
    expect(everything).not.toContain(SECRET);
    expect(everything).not.toContain(CONSOLE_SECRET);
    expect(JSON.stringify(deliveries) + p.logs.join("\n")).not.toContain("chat-secret-path");
  });

  it("awaiting approval: the CloudEvent carries the approve and reject links, each chat card buttons to the console bound to the run, and the API link approves the run", async () => {
    expect((await p.call("POST", "/api/retrain", { requireApproval: true })).status).toBe(202);
    await expect.poll(() => cloudEvents("com.retrainer.run.awaiting-approval").length, { timeout: 60_000, interval: 100 }).toBe(1);
    const event = JSON.parse(cloudEvents("com.retrainer.run.awaiting-approval")[0]!.body) as { data: { runId: string; summary: string; links: Record<string, string> } };
    expect(event.data.summary).toMatch(/waits for approval until/);
    expect(event.data.links.approve).toBe(`${p.host.url}/api/retrain/${RUN}/approve?runId=${event.data.runId}`);
    expect(event.data.links.reject).toBe(`${p.host.url}/api/retrain/${RUN}/reject?runId=${event.data.runId}`);

    expect(event.data.links.console).toBe(`${p.host.url}/api/console/runs/${event.data.runId}`);

    // Each chat shows the run and three buttons, one click each: the decisions open the console's
    // confirm page with a token bound to this run and decision, signed with the console secret.
    const chat = (prefix: string) => received.filter((r) => r.path.startsWith(prefix));
    await expect.poll(() => ["/teams/", "/workflow/", "/slack/"].map((x) => chat(x).length), { timeout: 30_000, interval: 100 }).toEqual([1, 1, 1]);
    const card = JSON.parse(chat("/teams/")[0]!.body) as { "@type": string; title: string; potentialAction: { name: string; targets: { uri: string }[] }[] };
    const flow = JSON.parse(chat("/workflow/")[0]!.body) as { attachments: { content: { body: { text?: string }[]; actions: { title: string; url: string }[] } }[] };
    const slack = JSON.parse(chat("/slack/")[0]!.body) as { blocks: { type: string; text?: { text: string }; elements?: { text: { text: string }; url: string }[] }[] };
    expect(card["@type"]).toBe("MessageCard");
    expect(card.title).toBe("retrainer: retrain is waiting for approval");
    expect(flow.attachments[0]!.content.body[0]!.text).toBe("retrainer: retrain is waiting for approval");
    expect(slack.blocks[0]!.text!.text).toBe("retrainer: retrain is waiting for approval");
    const tokens: string[] = [];
    for (const buttons of [
      card.potentialAction.map((a) => [a.name, a.targets[0]!.uri]),
      flow.attachments[0]!.content.actions.map((a) => [a.title, a.url]),
      slack.blocks.find((b) => b.type === "actions")!.elements!.map((e) => [e.text.text, e.url]),
    ]) {
      expect(buttons.map(([label]) => label)).toEqual(["Review and approve", "Review and reject", "Open run"]);
      expect(buttons[2]![1]).toBe(event.data.links.console);
      for (const [i, decision] of [[0, "approve"], [1, "reject"]] as const) {
        const url = new URL(buttons[i]![1]!);
        expect(`${url.origin}${url.pathname}`).toBe(`${p.host.url}/api/console/confirm`);
        tokens.push(url.searchParams.get("token")!);
        expect(verifyLinkToken(CONSOLE_SECRET, tokens.at(-1)!, Date.now())).toMatchObject({ ok: true, claims: { runId: event.data.runId, instanceId: RUN, endpoint: "retrain", decision } });
      }
    }
    // the tokens are in the messages only: not in the run's deliveries, nor in a log line
    const recorded = JSON.stringify(((await p.call("GET", `/api/runs/${event.data.runId}`)).body as { deliveries?: unknown }).deliveries) + p.logs.join("\n");
    for (const t of tokens) expect(recorded).not.toContain(t);
    expect(recorded).not.toContain("flow-sig");

    const link = new URL(event.data.links.approve!);
    expect((await p.call("POST", `${link.pathname}${link.search}`, { comment: "from the webhook" })).status).toBe(202);
    const run = await p.engine.waitUntilEnded(RUN);
    expect(run.customStatus).toMatchObject({ result: "promoted", approval: { approved: true, comment: "from the webhook" } });
    await expect.poll(() => cloudEvents("com.retrainer.run.promoted").filter((r) => r.body.includes(event.data.runId)).length, { timeout: 30_000 }).toBe(1);
  });

  it("a rollback tells who listens for rolled-back, naming the model put back", async () => {
    const latest = (await p.call("POST", "/api/endpoints/retrain/rollback")).body as { latestPromotion: string };
    expect((await p.call("POST", "/api/endpoints/retrain/rollback", { runId: latest.latestPromotion })).status).toBe(202);
    const run = await p.engine.waitUntilEnded(RUN);
    expect(run.customStatus).toMatchObject({ result: "rolled-back" });
    await expect.poll(() => cloudEvents("com.retrainer.run.rolled-back").length, { timeout: 30_000, interval: 100 }).toBe(1);
    const event = JSON.parse(cloudEvents("com.retrainer.run.rolled-back")[0]!.body) as { subject: string; data: { summary: string; model: string } };
    expect(event.subject).toBe((run.customStatus as { runId: string }).runId);
    expect(event.data.summary).toMatch(/^restored the model that run retrain-.* replaced/);
    expect(event.data.model).toMatch(/previous\.ilearner$/);
  });
});
