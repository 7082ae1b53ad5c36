import { describe, expect, it } from "vitest";
import type { Notification } from "../../../../shared/notify/events";
import { chatLinks, DEFAULT_LINK_LIFETIME_IN_MS, type ChatLinks } from "../../../../shared/notify/chat-links";
import { toCard } from "../../../../shared/notify/cards";
import { verifyLinkToken } from "../../../../shared/console/link-token";

/** Each chat's card as the chat shows it: what it says, and where each button goes. */
const BASE = "https://retrainer.example.net";
const SECRET = "a-console-secret-of-thirty-two-chars!!";
const NOW = Date.parse("2026-12-03T10:20:00.000Z");
const N: Notification = {
  runId: "retrain-20261203T101010Z-abc123", endpoint: "retrain", instanceId: "retrain-retrain", event: "awaiting-approval", time: "2026-12-03T10:20:00.000Z",
  summary: "the new model passed the gate (AUC 0.91 ≥ 0.85: passed.) and waits for approval until 2026-12-06T10:20:00.000Z",
  // Evaluate Model's names, as a run started before the metric vocabulary carries them: shown canonical.
  metrics: { AUC: 0.9123456, Accuracy: 0.85 }, approvalDeadline: "2026-12-06T10:20:00.000Z",
};
const RUN_PAGE = `${BASE}/api/console/runs/${N.runId}`;
const FIXED: ChatLinks = { run: RUN_PAGE, approve: `${BASE}/api/console/confirm?token=A.B`, reject: `${BASE}/api/console/confirm?token=C.D` };
const HOSTILE = "**x** [Approve](https://evil.example) <at>Adele</at>";

describe("Teams Workflows (teams-workflow): a message with one Adaptive Card", () => {
  it("title, summary, facts and three buttons, in the body a Workflows webhook posts as it is", () => {
    expect(toCard(N, FIXED, "teams-workflow")).toEqual({
      type: "message",
      attachments: [{
        contentType: "application/vnd.microsoft.card.adaptive", contentUrl: null,
        content: {
          $schema: "http://adaptivecards.io/schemas/adaptive-card.json", type: "AdaptiveCard", version: "1.4", msteams: { width: "Full" },
          body: [
            { type: "TextBlock", text: "retrainer: retrain is waiting for approval", weight: "Bolder", size: "Medium", color: "Accent", wrap: true },
            { type: "TextBlock", text: "the new model passed the gate \\(AUC 0.91 ≥ 0.85: passed.\\) and waits for approval until 2026-12-06T10:20:00.000Z", wrap: true },
            { type: "FactSet", facts: [{ title: "run", value: N.runId }, { title: "auc", value: "0.9123" }, { title: "accuracy", value: "0.8500" }] },
          ],
          actions: [
            { type: "Action.OpenUrl", title: "Review and approve", url: FIXED.approve, style: "positive" },
            { type: "Action.OpenUrl", title: "Review and reject", url: FIXED.reject, style: "destructive" },
            { type: "Action.OpenUrl", title: "Open run", url: RUN_PAGE },
          ],
        },
      }],
    });
  });

  it("a run that waits for nobody has one button, its page; a failure is coloured as one", () => {
    const card = toCard({ ...N, event: "failed", model: "models/retrain.ilearner" }, { run: RUN_PAGE }, "teams-workflow") as { attachments: [{ content: { body: { color?: string; facts?: unknown[] }[]; actions: unknown[] } }] };
    expect(card.attachments[0].content.actions).toEqual([{ type: "Action.OpenUrl", title: "Open run", url: RUN_PAGE }]);
    expect(card.attachments[0].content.body[0]!.color).toBe("Attention");
    expect(card.attachments[0].content.body[2]!.facts).toContainEqual({ title: "model", value: "models/retrain.ilearner" });
  });

  it("a hostile column name is text: no bold, no link, no mention, in the summary and as a fact's title", () => {
    const card = toCard({ ...N, summary: `the column ${HOSTILE} is missing`, metrics: { [HOSTILE]: 0.5 } }, FIXED, "teams-workflow") as { attachments: [{ content: { body: { text?: string; facts?: { title: string }[] }[]; actions: { url: string }[] } }] };
    const escaped = "\\*\\*x\\*\\* \\[Approve\\]\\(https://evil.example\\) \\<at\\>Adele\\</at\\>";
    expect(card.attachments[0].content.body[1]!.text).toBe(`the column ${escaped} is missing`);
    expect(card.attachments[0].content.body[2]!.facts![1]!.title).toBe(escaped);
    expect(card.attachments[0].content.actions.map((a) => a.url)).toEqual([FIXED.approve, FIXED.reject, RUN_PAGE]);
  });
});

describe("Slack (slack): Block Kit with a plain-text fallback", () => {
  it("header, summary, fields and link buttons; `text` for notifications", () => {
    expect(toCard(N, FIXED, "slack")).toEqual({
      text: `retrainer: retrain is waiting for approval: ${N.summary}`,
      blocks: [
        { type: "header", text: { type: "plain_text", text: "retrainer: retrain is waiting for approval", emoji: false } },
        { type: "section", text: { type: "mrkdwn", text: N.summary } },
        { type: "section", fields: [{ type: "mrkdwn", text: `*run*\n${N.runId}` }, { type: "mrkdwn", text: "*auc*\n0.9123" }, { type: "mrkdwn", text: "*accuracy*\n0.8500" }] },
        {
          type: "actions", elements: [
            { type: "button", action_id: "approve", text: { type: "plain_text", text: "Review and approve", emoji: false }, url: FIXED.approve, style: "primary" },
            { type: "button", action_id: "reject", text: { type: "plain_text", text: "Review and reject", emoji: false }, url: FIXED.reject, style: "danger" },
            { type: "button", action_id: "open-run", text: { type: "plain_text", text: "Open run", emoji: false }, url: RUN_PAGE },
          ],
        },
      ],
    });
  });

  it("a mention and a link in outside text are text in every mrkdwn field; the header is plain text, where Slack parses nothing", () => {
    const column = "<!channel> <https://evil.example/a|Approve>";
    const card = toCard({ ...N, endpoint: column, summary: `the column ${column} is missing`, metrics: { [column]: 0.5 } }, FIXED, "slack") as { text: string; blocks: { text?: { text: string }; fields?: { text: string }[] }[] };
    const escaped = "&lt;!channel&gt; &lt;https://evil.example/a|Approve&gt;";
    expect(card.text).toBe(`retrainer: ${escaped} is waiting for approval: the column ${escaped} is missing`);
    expect(card.blocks[0]!.text!.text).toBe(`retrainer: ${column} is waiting for approval`);
    expect(card.blocks[1]!.text!.text).toBe(`the column ${escaped} is missing`);
    expect(card.blocks[2]!.fields![1]!.text).toBe(`*${escaped}*\n0.5000`);
  });

  it("every block stays within Slack's limits however long the outside text, cut before escaping", () => {
    const card = toCard({ ...N, endpoint: "E".repeat(5_000), summary: "<".repeat(10_000), model: "&".repeat(10_000), metrics: { [">".repeat(5_000)]: 1 } }, FIXED, "slack") as { blocks: { text?: { text: string }; fields?: { text: string }[] }[] };
    expect(card.blocks[0]!.text!.text.length).toBeLessThanOrEqual(150);
    expect(card.blocks[1]!.text!.text.length).toBeLessThanOrEqual(3_000);
    expect(card.blocks[1]!.text!.text).toMatch(/^(&lt;)+…$/);
    for (const f of card.blocks[2]!.fields!) expect(f.text.length).toBeLessThanOrEqual(2_000);
    expect(card.blocks[2]!.fields![1]!.text).toMatch(/^\*model\*\n(&amp;)+…$/);
  });
});

describe("Teams connector (teams): the MessageCard keeps working, its actions open the console", () => {
  it("title, text, facts and OpenUri actions to the same links", () => {
    expect(toCard(N, FIXED, "teams")).toEqual({
      "@type": "MessageCard", "@context": "https://schema.org/extensions", summary: "retrainer: retrain is waiting for approval", title: "retrainer: retrain is waiting for approval",
      themeColor: "1565C0", text: N.summary,
      sections: [{ facts: [{ name: "run", value: N.runId }, { name: "auc", value: "0.9123" }, { name: "accuracy", value: "0.8500" }] }],
      potentialAction: [
        { "@type": "OpenUri", name: "Review and approve", targets: [{ os: "default", uri: FIXED.approve }] },
        { "@type": "OpenUri", name: "Review and reject", targets: [{ os: "default", uri: FIXED.reject }] },
        { "@type": "OpenUri", name: "Open run", targets: [{ os: "default", uri: RUN_PAGE }] },
      ],
    });
  });
});

describe("where the buttons go (chatLinks, at delivery)", () => {
  const claimsOf = (url: string | undefined, at = NOW) => {
    const u = new URL(url!);
    expect(`${u.origin}${u.pathname}`).toBe(`${BASE}/api/console/confirm`);
    const r = verifyLinkToken(SECRET, u.searchParams.get("token")!, at);
    if (!r.ok) throw new Error(r.message);
    return r.claims;
  };

  it("with the console secret: a confirm link per decision, bound to the run, expiring at its approval deadline", () => {
    const l = chatLinks(N, { appBaseUrl: BASE, consoleSecret: SECRET, now: () => NOW });
    expect(l.run).toBe(RUN_PAGE);
    const approve = claimsOf(l.approve), reject = claimsOf(l.reject);
    expect(approve).toMatchObject({ runId: N.runId, instanceId: N.instanceId, endpoint: N.endpoint, decision: "approve", expiresAt: Date.parse(N.approvalDeadline!) / 1000 });
    expect(reject).toMatchObject({ runId: N.runId, decision: "reject" });
    expect(approve.id).not.toBe(reject.id);
    // the link dies when the run stops waiting
    expect(verifyLinkToken(SECRET, new URL(l.approve!).searchParams.get("token")!, Date.parse(N.approvalDeadline!))).toMatchObject({ ok: false, problem: "expired" });
  });

  it("no deadline known (or none readable): the link lives 7 days from delivery", () => {
    for (const n of [{ ...N, approvalDeadline: undefined }, { ...N, approvalDeadline: "whenever" }]) {
      const l = chatLinks(n, { appBaseUrl: BASE, consoleSecret: SECRET, now: () => NOW });
      expect(claimsOf(l.approve).expiresAt).toBe((NOW + DEFAULT_LINK_LIFETIME_IN_MS) / 1000);
    }
  });

  it("without the console secret, both decisions open the run's page, where a signed-in person decides", () => {
    expect(chatLinks(N, { appBaseUrl: BASE, now: () => NOW })).toEqual({ run: RUN_PAGE, approve: RUN_PAGE, reject: RUN_PAGE });
  });

  it("only a run awaiting approval has decisions; the run id is percent-encoded into the page's path", () => {
    expect(chatLinks({ ...N, event: "promoted", runId: "a b/c?d" }, { appBaseUrl: BASE, consoleSecret: SECRET, now: () => NOW })).toEqual({ run: `${BASE}/api/console/runs/a%20b%2Fc%3Fd` });
  });

  it("a run id longer than any run's (the history keeps at most 256 characters) opens the console's overview", () => {
    expect(chatLinks({ ...N, runId: "<".repeat(257) }, { appBaseUrl: BASE, now: () => NOW })).toEqual({ run: `${BASE}/api/console`, approve: `${BASE}/api/console`, reject: `${BASE}/api/console` });
    expect(chatLinks({ ...N, runId: "r".repeat(256), event: "failed" }, { appBaseUrl: BASE, now: () => NOW }).run).toBe(`${BASE}/api/console/runs/${"r".repeat(256)}`);
  });

  it("names too long for a link: the decisions open the run's page rather than failing the message", () => {
    const n = { ...N, endpoint: "é".repeat(256), runId: "é".repeat(256), instanceId: "é".repeat(256) };
    const page = `${BASE}/api/console/runs/${encodeURIComponent(n.runId)}`;
    expect(chatLinks(n, { appBaseUrl: BASE, consoleSecret: SECRET, now: () => NOW })).toEqual({ run: page, approve: page, reject: page });
  });
});
