import { describe, expect, it } from "vitest";
import type * as df from "durable-functions";
import { toCloudEvent, type Notification, type WebhookTarget } from "../../shared/notify/events";
import { toCard } from "../../shared/notify/cards";
import { chatLinks } from "../../shared/notify/chat-links";
import { deliver, type Post } from "../../shared/notify/delivery";
import { verifyLinkToken } from "../../shared/console/link-token";
import { notifyActivities } from "../../functions/activities/notify";
import { notify } from "../../functions/orchestrators/notify";
import { MemoryTelemetry } from "../../shared/telemetry/telemetry";
import { driveOrchestrator } from "../support/orchestration-driver";

/**
 * Issue 26, item 2: nothing derived from data or requests can inject markup into a message. A
 * column named `<!channel> <https://evil.example/a|Approve>` used to reach the Slack text and the
 * Teams card verbatim (the channel pinged, a fake Approve link shown). Every name and sentence that
 * is not the product's own now reaches each receiver escaped for its format, one line, bounded;
 * these tests read the exact bytes a receiver gets. The only links are the product's buttons.
 */
const BASE = "https://retrainer.example.net";
const CONSOLE_SECRET = "a-console-secret-of-thirty-two-chars!!";
const NOW = Date.parse("2026-12-03T10:20:00.000Z");
const COLUMN = "<!channel> <https://evil.example/a|Approve>";
const HOSTILE = {
  "a Slack mention and link": COLUMN,
  "a Markdown link": "[Approve](https://evil.example)",
  "a Markdown image": "![x](https://evil.example/pixel.gif)",
  "an HTML link": '<a href="https://evil.example">x</a>',
  "a Teams mention": "<at>Adele Vance</at>",
  "a bidi override": "a\u202Eb",
  "a forged line": "x\nFAKE LINE",
  "10,000 characters": "A".repeat(10_000),
  "10,000 angle brackets": "<".repeat(10_000),
  "a label value": "<=50K",
} as const;
const FIELDS = ["endpoint", "summary", "model", "metric name", "run id"] as const;

const N: Notification = {
  runId: "retrain-20261203T101010Z-abc123", endpoint: "retrain", instanceId: "retrain-retrain", event: "data-rejected", time: "2026-12-03T10:20:00.000Z",
  summary: "the data failed a check, so no job was submitted", metrics: { AUC: 0.9123456 }, model: "models/retrain.ilearner",
};
const withField = (field: (typeof FIELDS)[number], text: string): Notification => {
  switch (field) {
    case "endpoint": return { ...N, endpoint: text };
    case "summary": return { ...N, summary: text };
    case "model": return { ...N, model: text };
    case "metric name": return { ...N, metrics: { [text]: 0.5 } };
    case "run id": return { ...N, runId: text };
  }
};

/** What the receiver at `format` gets: the exact body deliver() posts. */
async function received(n: Notification, format: WebhookTarget["format"]): Promise<{ body: string; json: Record<string, unknown> }> {
  let body = "";
  const post: Post = (_url, _headers, b) => ((body = b), Promise.resolve(200));
  const r = await deliver(post, { url: "https://receiver.example/hook", format }, n, { secret: "a-webhook-secret-of-thirty-two-chars!!", consoleSecret: CONSOLE_SECRET, appBaseUrl: BASE, now: () => NOW });
  expect(r.ok).toBe(true);
  return { body, json: JSON.parse(body) as Record<string, unknown> };
}

const strings = (v: unknown, skip: ReadonlySet<string> = new Set()): string[] =>
  typeof v === "string" ? [v] : Array.isArray(v) ? v.flatMap((x) => strings(x, skip)) : v && typeof v === "object" ? Object.entries(v).flatMap(([k, x]) => (skip.has(k) ? [] : [k, ...strings(x, skip)])) : [];

/**
 * Markup a card would obey: any of `live` not escaped by a backslash, and where entities are the
 * escape (`entities`), an `&` that starts no entity of ours.
 */
function unescaped(s: string, live: string, entities: boolean): string[] {
  const found: string[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === "\\") i++;
    else if (live.includes(c)) found.push(`${c} at ${i}`);
    else if (entities && c === "&" && !/^&(amp|lt|gt);/.test(s.slice(i))) found.push(`& at ${i}`);
  }
  return found;
}
/** A Teams connector card renders Markdown and HTML: entities escape `&` `<` `>`. */
const teamsMarkup = (s: string) => unescaped(s, "[]<>*_~`", true);
/** An Adaptive Card renders Markdown only, every markup character backslash-escaped. */
const adaptiveMarkup = (s: string) => unescaped(s, "[]()<>*_~`&", false);

const INVISIBLE = /[\p{Cc}\p{Cf}\p{Cs}\u2028\u2029]/u;
/** The run's console page; a run id longer than any run's (256) opens the console's overview. */
const runPage = (n: Notification) => (n.runId.length <= 256 ? `${BASE}/api/console/runs/${encodeURIComponent(n.runId)}` : `${BASE}/api/console`);

interface SlackBody { text: string; blocks: { type: string; text?: { type: string; text: string }; fields?: { type: string; text: string }[]; elements?: { text: { text: string }; url: string }[] }[] }
/** Every text Slack parses as mrkdwn: the fallback, the sections and their fields. */
const slackMrkdwn = (b: SlackBody) => [b.text, ...b.blocks.flatMap((x) => [...(x.text?.type === "mrkdwn" ? [x.text.text] : []), ...(x.fields ?? []).map((f) => f.text)])];
const slackButtons = (b: SlackBody) => b.blocks.find((x) => x.type === "actions")!.elements!.map((e) => [e.text.text, e.url]);
interface WorkflowBody { attachments: { content: { body: { text?: string; facts?: { title: string; value: string }[] }[]; actions: { title: string; url: string }[] } }[] }

describe("the hostile column name, as each receiver gets it", () => {
  const n: Notification = {
    ...N, metrics: { [COLUMN]: 0.5 }, model: undefined,
    summary: `the data failed a check, so no job was submitted: The column "${COLUMN}" of run retrain-20261201T000000Z-aaaaaa is missing.`,
  };

  it("Slack: the mention and the link are text (&lt; &gt;) in every mrkdwn field, and the only link is the product's button", async () => {
    const { json } = await received(n, "slack");
    const escaped = "&lt;!channel&gt; &lt;https://evil.example/a|Approve&gt;";
    expect(json).toEqual({
      text: `retrainer: retrain refused its training data: the data failed a check, so no job was submitted: The column "${escaped}" of run retrain-20261201T000000Z-aaaaaa is missing.`,
      blocks: [
        { type: "header", text: { type: "plain_text", text: "retrainer: retrain refused its training data", emoji: false } },
        { type: "section", text: { type: "mrkdwn", text: `the data failed a check, so no job was submitted: The column "${escaped}" of run retrain-20261201T000000Z-aaaaaa is missing.` } },
        { type: "section", fields: [{ type: "mrkdwn", text: "*run*\nretrain-20261203T101010Z-abc123" }, { type: "mrkdwn", text: `*${escaped}*\n0.5000` }] },
        { type: "actions", elements: [{ type: "button", action_id: "open-run", text: { type: "plain_text", text: "Open run", emoji: false }, url: runPage(n) }] },
      ],
    });
  });

  it("Teams connector: the same, in the text and the fact's name; the one action is the run's console page", async () => {
    const { json } = await received(n, "teams");
    expect(json).toEqual({
      "@type": "MessageCard", "@context": "https://schema.org/extensions",
      summary: "retrainer: retrain refused its training data", title: "retrainer: retrain refused its training data", themeColor: "EF6C00",
      text: 'the data failed a check, so no job was submitted: The column "&lt;!channel&gt; &lt;https://evil.example/a|Approve&gt;" of run retrain-20261201T000000Z-aaaaaa is missing.',
      sections: [{ facts: [{ name: "run", value: "retrain-20261203T101010Z-abc123" }, { name: "&lt;!channel&gt; &lt;https://evil.example/a|Approve&gt;", value: "0.5000" }] }],
      potentialAction: [{ "@type": "OpenUri", name: "Open run", targets: [{ os: "default", uri: runPage(n) }] }],
    });
  });

  it("Teams Workflows: the same, backslash-escaped in the Adaptive Card's text and fact; the one button is the run's page", async () => {
    const { json } = await received(n, "teams-workflow");
    const card = (json as unknown as WorkflowBody).attachments[0]!.content;
    const escaped = "\\<!channel\\> \\<https://evil.example/a|Approve\\>";
    expect(card.body[1]!.text).toBe(`the data failed a check, so no job was submitted: The column "${escaped}" of run retrain-20261201T000000Z-aaaaaa is missing.`);
    expect(card.body[2]!.facts).toEqual([{ title: "run", value: "retrain-20261203T101010Z-abc123" }, { title: escaped, value: "0.5000" }]);
    expect(card.actions).toEqual([{ type: "Action.OpenUrl", title: "Open run", url: runPage(n) }]);
  });

  it("CloudEvent: JSON carries it as the text it is (a receiver escapes for where it shows it)", async () => {
    const { json } = await received(n, "cloudevents");
    expect(json.data).toMatchObject({ summary: n.summary, metrics: { [COLUMN]: 0.5 } });
  });
});

describe.each(Object.entries(HOSTILE))("%s", (_what, text) => {
  it.each(FIELDS)("in the %s: Slack gets no markup but the product's, and its blocks stay within Slack's limits", async (field) => {
    const n = withField(field, text);
    const { body, json } = await received(n, "slack");
    const b = json as unknown as SlackBody;
    for (const t of slackMrkdwn(b)) {
      // the bold around a field's name is the product's; past it nothing Slack would parse is left
      expect(t).not.toMatch(/[<>]/);
      expect(t.replace(/&(amp|lt|gt);/g, "")).not.toContain("&");
      expect(t.replace(/\n/g, "")).not.toMatch(INVISIBLE);
    }
    expect(b.blocks[0]!.text).toMatchObject({ type: "plain_text" });
    expect(b.blocks[0]!.text!.text).not.toMatch(INVISIBLE);
    expect(b.blocks[0]!.text!.text.length).toBeLessThanOrEqual(150);
    expect(b.blocks[1]!.text!.text.length).toBeLessThanOrEqual(3_000);
    for (const f of b.blocks[2]!.fields!) expect(f.text.length).toBeLessThanOrEqual(2_000);
    // the one link is the run's page, product-made
    expect(slackButtons(b)).toEqual([["Open run", runPage(n)]]);
    expect(body.length).toBeLessThan(40_000);
  });

  it.each(FIELDS)("in the %s: Teams gets no unescaped Markdown or HTML in any text it renders", async (field) => {
    const { body, json } = await received(withField(field, text), "teams");
    // URIs are the product's links, not rendered text
    for (const s of strings(json, new Set(["targets"]))) {
      expect(teamsMarkup(s), s.slice(0, 80)).toEqual([]);
      expect(s).not.toMatch(INVISIBLE);
      expect(s).not.toMatch(/(?<!\\)\]\(/); // no `](` that a backslash does not escape
    }
    expect((json.potentialAction as { targets: { uri: string }[] }[]).map((a) => a.targets[0]!.uri)).toEqual([runPage(withField(field, text))]);
    expect(body.length).toBeLessThan(28_000); // a Teams incoming webhook's limit
  });

  it.each(FIELDS)("in the %s: Teams Workflows gets no unescaped Markdown in any text of its Adaptive Card", async (field) => {
    const { body, json } = await received(withField(field, text), "teams-workflow");
    // URLs are the product's links, not rendered text
    for (const s of strings(json, new Set(["url"]))) {
      expect(adaptiveMarkup(s), s.slice(0, 80)).toEqual([]);
      expect(s).not.toMatch(INVISIBLE);
      expect(s).not.toContain("](");
    }
    expect((json as unknown as WorkflowBody).attachments[0]!.content.actions.map((a) => a.url)).toEqual([runPage(withField(field, text))]);
    expect(body.length).toBeLessThan(28_000); // a Teams message's limit
  });

  it.each(FIELDS)("in the %s: the CloudEvent's strings are printable, one line and bounded", async (field) => {
    const { json } = await received(withField(field, text), "cloudevents");
    // links are the product's URLs: each outside part percent-encoded (links() in events.ts)
    for (const s of strings(json, new Set(["links"]))) {
      expect(s).not.toMatch(INVISIBLE);
      expect(Array.from(s).length).toBeLessThanOrEqual(1_000);
    }
  });
});

describe("what is not hostile still reads as it is", () => {
  it("the approval buttons stay real, one click each, bound to the run, whatever the run is called", async () => {
    const n: Notification = { ...N, event: "awaiting-approval", endpoint: COLUMN, approvalDeadline: "2026-12-06T10:20:00.000Z" };
    const slack = (await received(n, "slack")).json as unknown as SlackBody;
    expect(slack.blocks[0]!.text!.text).toBe(`retrainer: ${COLUMN} is waiting for approval`); // plain text: Slack parses nothing there
    expect(slack.text).toMatch(/^retrainer: &lt;!channel&gt; &lt;https:\/\/evil.example\/a\|Approve&gt; is waiting for approval: /);
    const teams = (await received(n, "teams")).json as { title: string; potentialAction: { name: string; targets: { uri: string }[] }[] };
    expect(teams.title).toBe("retrainer: &lt;!channel&gt; &lt;https://evil.example/a|Approve&gt; is waiting for approval");
    const workflow = ((await received(n, "teams-workflow")).json as unknown as WorkflowBody).attachments[0]!.content;
    expect(workflow.body[0]!.text).toBe("retrainer: \\<!channel\\> \\<https://evil.example/a|Approve\\> is waiting for approval");
    const buttons = [slackButtons(slack), teams.potentialAction.map((a) => [a.name, a.targets[0]!.uri]), workflow.actions.map((a) => [a.title, a.url])];
    for (const shown of buttons) {
      expect(shown.map(([label]) => label)).toEqual(["Review and approve", "Review and reject", "Open run"]);
      expect(shown[2]![1]).toBe(runPage(n));
      for (const [i, decision] of [[0, "approve"], [1, "reject"]] as const) {
        const url = new URL(shown[i]![1]!);
        expect(`${url.origin}${url.pathname}`).toBe(`${BASE}/api/console/confirm`);
        expect(verifyLinkToken(CONSOLE_SECRET, url.searchParams.get("token")!, NOW)).toMatchObject({ ok: true, claims: { runId: n.runId, endpoint: COLUMN, decision, expiresAt: Date.parse(n.approvalDeadline!) / 1000 } });
      }
    }
  });

  it("ordinary names, numbers and the product's words are not escaped", () => {
    const n: Notification = { ...N, endpoint: "census-v2", model: "census-v2:7", metrics: { AUC: 0.9123456, Accuracy: 0.41 } };
    const teams = toCard(n, chatLinks(n, { appBaseUrl: BASE, now: () => NOW }), "teams") as { title: string; sections: { facts: unknown[] }[] };
    expect(teams.title).toBe("retrainer: census-v2 refused its training data");
    expect(teams.sections[0]!.facts).toEqual([
      { name: "run", value: "retrain-20261203T101010Z-abc123" }, { name: "model", value: "census-v2:7" }, { name: "auc", value: "0.9123" }, { name: "accuracy", value: "0.4100" },
    ]);
  });

  it("a label value reads as a label value: &lt;=50K (Slack, the connector card) or \\<=50K (Adaptive Card), which each chat shows as <=50K", () => {
    const n = withField("summary", "the label column holds 3 values where 2 were expected: <=50K, >50K, >50K.");
    const l = chatLinks(n, { appBaseUrl: BASE, now: () => NOW });
    expect((toCard(n, l, "slack") as unknown as SlackBody).blocks[1]!.text!.text).toBe("the label column holds 3 values where 2 were expected: &lt;=50K, &gt;50K, &gt;50K.");
    expect((toCard(n, l, "teams") as { text: string }).text).toBe("the label column holds 3 values where 2 were expected: &lt;=50K, &gt;50K, &gt;50K.");
    expect((toCard(n, l, "teams-workflow") as unknown as WorkflowBody).attachments[0]!.content.body[1]!.text).toBe("the label column holds 3 values where 2 were expected: \\<=50K, \\>50K, \\>50K.");
  });

  it("a metric that is not a finite number is a word, not a crash (NaN arrives as null once it has been JSON)", () => {
    const n = { ...N, metrics: { AUC: Number.NaN, "Log Loss": Number.POSITIVE_INFINITY, Accuracy: null as unknown as number } };
    const l = chatLinks(n, { appBaseUrl: BASE, now: () => NOW });
    const teams = toCard(n, l, "teams") as { sections: { facts: { name: string; value: string }[] }[] };
    // Canonical names; the Markdown cards escape log_loss's underscore, which they show as written.
    expect(teams.sections[0]!.facts.slice(2)).toEqual([{ name: "auc", value: "not a number" }, { name: "log\\_loss", value: "infinite" }, { name: "accuracy", value: "missing" }]);
    expect((toCard(n, l, "slack") as unknown as SlackBody).blocks[2]!.fields!.slice(2).map((f) => f.text)).toEqual(["*auc*\nnot a number", "*log_loss*\ninfinite", "*accuracy*\nmissing"]);
    expect((toCard(n, l, "teams-workflow") as unknown as WorkflowBody).attachments[0]!.content.body[2]!.facts!.slice(2)).toEqual([{ title: "auc", value: "not a number" }, { title: "log\\_loss", value: "infinite" }, { title: "accuracy", value: "missing" }]);
    expect((toCloudEvent(n, BASE) as { data: { metrics: unknown } }).data.metrics).toEqual({});
  });
});

describe("where a notification is made and told about", () => {
  it("the orchestrator hands the activity a summary of one printable line, bounded", async () => {
    const inputs: Notification[] = [];
    const run = { runId: N.runId, endpoint: N.endpoint, notify: true as const };
    await driveOrchestrator(function* (ctx: df.OrchestrationContext) {
      yield* notify(ctx, run, "data-rejected", { summary: `the column "x\nFAKE LINE a\u202Eb" is missing ${"A".repeat(10_000)}`, model: "m\r\nINFO forged" });
    }, {}, { startNotifications: (i: never) => (inputs.push(i), Promise.resolve({ kind: "ok", value: { webhooks: 1 } })) });
    expect(inputs).toHaveLength(1);
    expect(inputs[0]!.summary).toMatch(/^the column "x FAKE LINE ab" is missing A+…$/);
    expect(Array.from(inputs[0]!.summary)).toHaveLength(1_000);
    expect(inputs[0]!.model).toBe("m  INFO forged");
  });

  it("telemetry of a delivery names the endpoint as one printable line", async () => {
    const telemetry = new MemoryTelemetry();
    const client = {} as df.DurableClient;
    const a = notifyActivities(client, {
      history: { recordDelivery: () => Promise.resolve() }, telemetry, targets: () => [{ url: "https://chat.example/x", format: "slack" }],
      appBaseUrl: () => BASE, firstRetryInSeconds: 10, post: () => Promise.resolve(200), now: () => 0,
    });
    await a.deliverWebhook({ notification: { ...N, endpoint: "x\nFAKE LINE\u202E" }, webhook: 0, attempt: 1, last: false });
    expect(telemetry.events).toMatchObject([{ name: "NotificationDelivered", properties: { endpoint: "x FAKE LINE" } }]);
  });
});
