import { describe, expect, it } from "vitest";
import type * as df from "durable-functions";
import { links, toCard, toCloudEvent, type Notification, type WebhookTarget } from "../../shared/notify/events";
import { deliver, type Post } from "../../shared/notify/delivery";
import { notifyActivities } from "../../functions/activities/notify";
import { notify } from "../../functions/orchestrators/notify";
import { MemoryTelemetry } from "../../shared/telemetry/telemetry";
import { driveOrchestrator } from "../support/orchestration-driver";

/**
 * Issue 26, item 2: nothing derived from data or requests can inject markup into a message. A
 * column named `<!channel> <https://evil.example/a|Approve>` used to reach the Slack text and the
 * Teams card verbatim (the channel pinged, a fake Approve link shown). Every name and sentence that
 * is not the product's own now reaches each receiver escaped for its format, one line, bounded;
 * these tests read the exact bytes a receiver gets.
 */
const BASE = "https://retrainer.example.net";
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
  const r = await deliver(post, { url: "https://receiver.example/hook", format }, n, { secret: "a-webhook-secret-of-thirty-two-chars!!", appBaseUrl: BASE, now: () => 0 });
  expect(r.ok).toBe(true);
  return { body, json: JSON.parse(body) as Record<string, unknown> };
}

const strings = (v: unknown, skip: ReadonlySet<string> = new Set()): string[] =>
  typeof v === "string" ? [v] : Array.isArray(v) ? v.flatMap((x) => strings(x, skip)) : v && typeof v === "object" ? Object.entries(v).flatMap(([k, x]) => (skip.has(k) ? [] : [k, ...strings(x, skip)])) : [];

/** Markdown or HTML a Teams card would obey: any of these characters not escaped by a backslash, or an `&` that starts no entity of ours. */
function teamsMarkup(s: string): string[] {
  const found: string[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === "\\") i++;
    else if ("[]<>*_~`".includes(c)) found.push(`${c} at ${i}`);
    else if (c === "&" && !/^&(amp|lt|gt);/.test(s.slice(i))) found.push(`& at ${i}`);
  }
  return found;
}

const INVISIBLE = /[\p{Cc}\p{Cf}\p{Cs}\u2028\u2029]/u;

describe("the hostile column name, as each receiver gets it", () => {
  const n: Notification = {
    ...N, metrics: { [COLUMN]: 0.5 }, model: undefined,
    summary: `the data failed a check, so no job was submitted: The column "${COLUMN}" of run retrain-20261201T000000Z-aaaaaa is missing.`,
  };

  it("Slack: the mention and the link are text (&lt; &gt;), and the only link is the product's", async () => {
    const { json } = await received(n, "slack");
    expect(json).toEqual({
      text: [
        "*retrainer: retrain refused its training data*",
        'the data failed a check, so no job was submitted: The column "&lt;!channel&gt; &lt;https://evil.example/a|Approve&gt;" of run retrain-20261201T000000Z-aaaaaa is missing.',
        "run: retrain-20261203T101010Z-abc123 · &lt;!channel&gt; &lt;https://evil.example/a|Approve&gt;: 0.5000",
        `<${BASE}/api/retrain/retrain-retrain|status>`,
      ].join("\n"),
    });
  });

  it("Teams: the same, in the text and the fact's name; the actions are the product's links", async () => {
    const { json } = await received(n, "teams");
    expect(json).toEqual({
      "@type": "MessageCard", "@context": "https://schema.org/extensions",
      summary: "retrainer: retrain refused its training data", title: "retrainer: retrain refused its training data", themeColor: "EF6C00",
      text: 'the data failed a check, so no job was submitted: The column "&lt;!channel&gt; &lt;https://evil.example/a|Approve&gt;" of run retrain-20261201T000000Z-aaaaaa is missing.',
      sections: [{ facts: [{ name: "run", value: "retrain-20261203T101010Z-abc123" }, { name: "&lt;!channel&gt; &lt;https://evil.example/a|Approve&gt;", value: "0.5000" }] }],
      potentialAction: [{ "@type": "OpenUri", name: "Run status", targets: [{ os: "default", uri: `${BASE}/api/retrain/retrain-retrain` }] }],
    });
  });

  it("CloudEvent: JSON carries it as the text it is (a receiver escapes for where it shows it)", async () => {
    const { json } = await received(n, "cloudevents");
    expect(json.data).toMatchObject({ summary: n.summary, metrics: { [COLUMN]: 0.5 } });
  });
});

describe.each(Object.entries(HOSTILE))("%s", (_what, text) => {
  it.each(FIELDS)("in the %s: Slack gets no markup but the product's, on the product's four lines", async (field) => {
    const { body, json } = await received(withField(field, text), "slack");
    const t = json.text as string;
    const lines = t.split("\n");
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^\*retrainer: .* refused its training data\*$/);
    // the one link is the status link, product-made; past it nothing Slack would parse is left
    expect(lines[3]).toBe(`<${links(withField(field, text), BASE).status!}|status>`);
    const rest = lines.slice(0, 3).join("\n");
    expect(rest).not.toMatch(/[<>]/);
    expect(rest.replace(/&(amp|lt|gt);/g, "")).not.toContain("&");
    expect(t.replace(/\n/g, "")).not.toMatch(INVISIBLE);
    expect(body.length).toBeLessThan(12_000);
  });

  it.each(FIELDS)("in the %s: Teams gets no unescaped Markdown or HTML in any text it renders", async (field) => {
    const { body, json } = await received(withField(field, text), "teams");
    // URIs are the product's links, not rendered text
    for (const s of strings(json, new Set(["targets"]))) {
      expect(teamsMarkup(s), s.slice(0, 80)).toEqual([]);
      expect(s).not.toMatch(INVISIBLE);
      expect(s).not.toMatch(/(?<!\\)\]\(/); // no `](` that a backslash does not escape
    }
    expect((json.potentialAction as { targets: { uri: string }[] }[])[0]!.targets[0]!.uri).toBe(links(withField(field, text), BASE).status);
    expect(body.length).toBeLessThan(28_000); // a Teams incoming webhook's limit
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
  it("the approval links stay real links in Slack and real actions in Teams, whatever the run is called", async () => {
    const n: Notification = { ...N, event: "awaiting-approval", endpoint: COLUMN };
    const l = links(n, BASE);
    const slack = (await received(n, "slack")).json.text as string;
    expect(slack.split("\n")[3]).toBe(`<${l.status!}|status> · approve: POST ${l.approve!} · reject: POST ${l.reject!}`);
    expect(slack.split("\n")[0]).toBe("*retrainer: &lt;!channel&gt; &lt;https://evil.example/a|Approve&gt; is waiting for approval*");
    const teams = (await received(n, "teams")).json as { title: string; potentialAction: { name: string; targets: { uri: string }[] }[] };
    expect(teams.title).toBe("retrainer: &lt;!channel&gt; &lt;https://evil.example/a|Approve&gt; is waiting for approval");
    expect(teams.potentialAction.map((a) => [a.name, a.targets[0]!.uri])).toEqual([
      ["Run status", l.status], ["Approve (POST with the function key)", l.approve], ["Reject (POST with the function key)", l.reject],
    ]);
  });

  it("ordinary names, numbers and the product's words are not escaped", () => {
    const n: Notification = { ...N, endpoint: "census-v2", model: "census-v2:7", metrics: { AUC: 0.9123456, "Average Log Loss": 0.41 } };
    const teams = toCard(n, BASE, "teams") as { title: string; sections: { facts: unknown[] }[] };
    expect(teams.title).toBe("retrainer: census-v2 refused its training data");
    expect(teams.sections[0]!.facts).toEqual([
      { name: "run", value: "retrain-20261203T101010Z-abc123" }, { name: "model", value: "census-v2:7" }, { name: "AUC", value: "0.9123" }, { name: "Average Log Loss", value: "0.4100" },
    ]);
  });

  it("a label value reads as a label value: &lt;=50K, which both chats show as <=50K", () => {
    const n = withField("summary", "the label column holds 3 values where 2 were expected: <=50K, >50K, >50K.");
    expect((toCard(n, BASE, "slack") as { text: string }).text).toContain("holds 3 values where 2 were expected: &lt;=50K, &gt;50K, &gt;50K.");
    expect((toCard(n, BASE, "teams") as { text: string }).text).toBe("the label column holds 3 values where 2 were expected: &lt;=50K, &gt;50K, &gt;50K.");
  });

  it("a metric that is not a finite number is a word, not a crash (NaN arrives as null once it has been JSON)", () => {
    const n = { ...N, metrics: { AUC: Number.NaN, "Log Loss": Number.POSITIVE_INFINITY, Accuracy: null as unknown as number } };
    const teams = toCard(n, BASE, "teams") as { sections: { facts: { name: string; value: string }[] }[] };
    expect(teams.sections[0]!.facts.slice(2)).toEqual([{ name: "AUC", value: "not a number" }, { name: "Log Loss", value: "infinite" }, { name: "Accuracy", value: "missing" }]);
    expect((toCard(n, BASE, "slack") as { text: string }).text).toContain("AUC: not a number · Log Loss: infinite · Accuracy: missing");
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
