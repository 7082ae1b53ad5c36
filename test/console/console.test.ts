import { writeFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHostedPipeline, type HostedPipeline } from "../support/host";
import { getEndpoint } from "../support/rrs-client";
import { checkAccessibility, collectPageErrors, describeWithBrowser, type PageErrors } from "../support/browser";
import { newLinkId, signLinkToken } from "../../shared/console/link-token";
import { prng } from "../support/prng";
import type { RunRecord } from "../../shared/history/run-record";
import { registrations, triggerOf } from "../../local-host/registry";

/**
 * The operator console as a person uses it, in Chromium, against the local host with the local
 * ML service: signs in with the key, starts, follows, approves and rolls back runs through the
 * pages, and reads what they show. Every assertion is what the person would check on the screen
 * or at the endpoint itself.
 */
const KEY = "console-key-for-the-browser-tests";
const SECRET = "console-secret-for-the-browser-tests-0123456789";
const ID = "retrain-retrain";
/** Where the README's screenshots are written when asked (npm run screenshots). */
const SHOTS = process.env.RETRAINER_SCREENSHOTS;

let p: HostedPipeline;

beforeAll(async () => {
  // 2,000× time: the 100-hour approval window lasts 180 s of real time, more than a person in a test needs.
  p = await startHostedPipeline({ speed: 2_000, settings: { RETRAIN_CONSOLE_KEY: KEY, RETRAIN_CONSOLE_SECRET: SECRET, APPROVAL_TIMEOUT_HOURS: "100", RETRAIN_GATE: "AUC>=0.85; AUC>=champion-0.05; Accuracy>=0.78" } });
  // A CSV whose column names are markup, as a customer's export could carry.
  const random = prng(27);
  const lines = [`"<img src=x onerror=""window.__pwned=1"">",x2,class`];
  for (let i = 0; i < 600; i++) lines.push(`${(random() * 10).toFixed(3)},${(random() * 5).toFixed(3)},${random() > 0.7 ? ">50K" : "<=50K"}`);
  writeFileSync(path.join(p.values.RETRAIN_DATA_ROOT!, "hostile.csv"), `${lines.join("\n")}\n`);
}, 120_000);
afterAll(() => p?.stop());

const status = async () => (await p.call("GET", `/api/retrain/${ID}`)).body as Record<string, unknown>;
const record = async (runId: string) => (await p.call("GET", `/api/runs/${runId}`)).body as RunRecord;

/** Starts a run through the API (as a schedule or a script would) and waits for it to reach `stage` or end. */
async function startThroughApi(body: Record<string, unknown>, until: "ended" | "awaiting-approval"): Promise<string> {
  const started = await p.call("POST", "/api/retrain", body);
  expect(started.status, JSON.stringify(started.body)).toBe(202);
  const runId = (started.body as { runId: string }).runId;
  if (until === "ended") await p.engine.waitUntilEnded(ID);
  else await expect.poll(async () => (await status()).stage, { timeout: 60_000, interval: 50 }).toBe("awaiting-approval");
  return runId;
}

describe("what the console lets through without a session", () => {
  it("its routes are the only ones the host lets through without a key, and each sends a stranger to sign in before reading anything", async () => {
    const anonymous = [...registrations().values()].filter((r) => triggerOf(r).type === "httpTrigger" && triggerOf(r).authLevel === "anonymous").map((r) => r.name).sort();
    expect(anonymous).toEqual(["consoleAssets", "consoleConfirm", "consoleEndpoint", "consoleEndpointAction", "consoleLogin", "consoleLogout", "consoleOverview", "consoleRun", "consoleRunAction", "openApiDocument"]);
    const big = "x".repeat(64 * 1024);
    for (const [method, at] of [["GET", ""], ["GET", "/endpoints/retrain"], ["GET", "/runs/r1"], ["GET", "/runs/r1/live"], ["POST", "/runs/r1/decide"], ["GET", "/confirm?token=x"], ["POST", "/confirm"], ["POST", "/endpoints/retrain/start"], ["POST", "/logout"]] as const) {
      const r = await fetch(`${p.host.url}/api/console${at}`, { method, redirect: "manual", ...(method === "POST" ? { body: big, headers: { "content-type": "application/x-www-form-urlencoded" } } : {}) });
      expect([r.status, r.headers.get("location")?.split("?")[0]], `${method} ${at}`).toEqual([303, "/api/console/login"]);
    }
    // Style and script carry no data: they are served to the sign-in page too.
    expect((await fetch(`${p.host.url}/api/console/assets/console.css`)).status).toBe(200);
    expect((await fetch(`${p.host.url}/api/console/assets/secrets.json`)).status).toBe(404);
  });
});

describeWithBrowser("the operator console", (browser) => {
  let context: BrowserContext;
  let page: Page;
  let errors: PageErrors;
  const url = (rest: string) => `${p.host.url}/api/console${rest}`;

  beforeAll(async () => {
    context = await browser().newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    errors = await collectPageErrors(page);
  });
  afterAll(() => context?.close());

  it("sends a visitor without a session to sign in, refuses a wrong key, and lets the key in", async () => {
    await page.goto(url(""));
    expect(new URL(page.url()).pathname).toBe("/api/console/login");
    await page.fill("#key", "not-the-key-at-all");
    await page.click("button[type=submit]");
    await expect.poll(() => page.locator("[role=alert]").textContent()).toBe("That is not this console's key.");
    await page.fill("#key", KEY);
    await page.click("button[type=submit]");
    await page.waitForSelector("#endpoints");
    expect(await page.locator("#endpoints tbody tr").count()).toBe(p.values.RETRAIN_ENDPOINTS!.split(",").length);
    // The HTTP API is unchanged: without its key it answers 401 even to a signed-in browser.
    expect((await context.request.post(`${p.host.url}/api/retrain`, { data: {} })).status()).toBe(401);
  });

  it("starts a run from the endpoint page and follows it to promoted without a reload; the overview then shows what serves", async () => {
    await page.goto(url("/endpoints/retrain"));
    await page.click("button:has-text('Start run')");
    await page.waitForURL(/\/api\/console\/runs\/[^/?]+\?done=started$/);
    const runId = decodeURIComponent(new URL(page.url()).pathname.split("/").at(-1)!);
    expect(await page.locator("h1").textContent()).toBe(`Run ${runId}`);
    // A mark only this page load carries: still there at the end means the page was never reloaded.
    await page.evaluate(() => ((globalThis as unknown as { mark: number }).mark = 42));
    await page.waitForSelector("#main .badge.good", { timeout: 120_000 });
    expect(await page.evaluate(() => (globalThis as unknown as { mark?: number }).mark)).toBe(42);
    expect(await page.locator("#main .badge.good").first().textContent()).toBe("promoted");
    const promoted = await record(runId);
    expect(promoted.result).toBe("promoted");
    await page.goto(url(""));
    const row = page.locator("#endpoints tr[data-endpoint=retrain]");
    expect(await row.locator("td").nth(0).textContent()).toContain(promoted.modelAfter!.backend === "classic" ? promoted.modelAfter!.RelativeLocation : "");
    expect(await row.locator("td").nth(1).textContent()).toContain(runId);
    expect(await row.locator("td").nth(1).textContent()).toContain("promoted");
  });

  it("draws one point per run on the endpoint's trend chart of each gate metric, with the threshold", async () => {
    await startThroughApi({ force: true }, "ended");
    const runs = ((await p.call("GET", "/api/runs?endpoint=retrain")).body as { runs: RunRecord[] }).runs;
    const measured = runs.filter((r) => r.metrics?.auc !== undefined);
    expect(measured.length).toBeGreaterThanOrEqual(2);
    await page.goto(url("/endpoints/retrain"));
    const auc = page.locator("svg.chart[data-metric=auc]");
    expect(await auc.locator("circle.challenger.point").count()).toBe(measured.length);
    const points = auc.locator("circle.challenger.point");
    const order = await Promise.all(Array.from({ length: await points.count() }, (_, i) => points.nth(i).getAttribute("data-run")));
    expect(order, "oldest left, newest right").toEqual(measured.map((r) => r.runId).reverse());
    expect(await auc.locator("line.threshold").count()).toBe(1);
    expect(await auc.getAttribute("aria-label")).toContain("gate threshold 0.85");
    expect(await page.locator("figcaption", { hasText: "auc >= champion − 0.05" }).count()).toBe(1);
  });

  it("approving a waiting run through its page promotes it, recorded with who approved and why", async () => {
    const runId = await startThroughApi({ force: true, requireApproval: true }, "awaiting-approval");
    await page.goto(url(""));
    if (SHOTS) {
      mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: path.join(SHOTS, "console-overview.png") });
    }
    await page.click(`.waiting a:has-text("Review run ${runId}")`);
    expect(await page.locator("#decide-title").textContent()).toContain("promote");
    expect(await page.locator("#metrics tbody tr").count()).toBeGreaterThan(0);
    await page.fill("#decision-comment", "metrics checked in the console");
    await page.click("button:has-text('Approve and promote')");
    await page.waitForURL(/\?done=approve$/);
    await p.engine.waitUntilEnded(ID);
    expect(await record(runId)).toMatchObject({ result: "promoted", approval: { approved: true, by: "function key", comment: "metrics checked in the console" } });
    await page.waitForSelector("#main .badge.good", { timeout: 60_000 });
  });

  it("rolls an endpoint back through the page: the confirmation shows what will serve, and then it does", async () => {
    const runs = ((await p.call("GET", "/api/runs?endpoint=retrain")).body as { runs: RunRecord[] }).runs;
    const latest = runs.find((r) => r.result === "promoted" && r.archivedModel)!;
    await page.goto(url("/endpoints/retrain"));
    await page.click(`#targets a[href$="rollback?runId=${encodeURIComponent(latest.runId)}"]`);
    const after = latest.archivedModel!.backend === "classic" ? latest.archivedModel!.RelativeLocation : "";
    expect(await page.locator("#serving-after").textContent()).toBe(after);
    await page.click("button:has-text('Roll back to')");
    await page.waitForURL(/\?done=rollback$/);
    await p.engine.waitUntilEnded(ID);
    const endpoint = await getEndpoint(p.emulator, "retrain");
    expect(JSON.stringify(endpoint)).toContain(after);
    await page.waitForSelector("#main .badge.warn", { timeout: 60_000 });
    expect(await page.locator("#main .badge.warn").first().textContent()).toBe("rolled back");
  });

  it("shows a column name that is markup as text, and runs none of it", async () => {
    const runId = await startThroughApi({ dataSource: "hostile.csv" }, "ended");
    await page.goto(url(`/runs/${encodeURIComponent(runId)}`));
    const cell = page.locator("#profile tbody th", { hasText: "<img src=x" });
    expect(await cell.textContent()).toBe('<img src=x onerror="window.__pwned=1">');
    expect(await page.locator("#main img").count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator(".reason").first().textContent()).toContain("<img src=x");
  });

  it("a chat link opened twice (and by a preview bot) changes nothing; confirming acts once", async () => {
    const runId = await startThroughApi({ force: true, requireApproval: true }, "awaiting-approval");
    const token = signLinkToken(SECRET, { runId, instanceId: ID, endpoint: "retrain", decision: "reject", expiresAt: Math.floor(Date.now() / 1000) + 3600, id: newLinkId() });
    const link = url(`/confirm?token=${encodeURIComponent(token)}`);
    // A link-preview bot has no session: it is sent to sign in, and nothing happens.
    const bot = await context.browser()!.newContext();
    expect((await (await bot.newPage()).goto(link))!.url()).toContain("/api/console/login");
    await bot.close();
    await page.goto(link);
    await page.goto(link);
    expect(await status()).toMatchObject({ stage: "awaiting-approval", runtimeStatus: "Running" });
    expect(await page.locator("h1").textContent()).toBe(`Reject run ${runId}?`);
    const second = await context.newPage();
    await second.goto(link);
    await page.click(`button:has-text('Reject run ${runId}')`);
    await page.waitForURL(/\?done=reject$/);
    await second.click(`button:has-text('Reject run ${runId}')`);
    await expect.poll(() => second.locator("h1").textContent()).toBe("This link was already used");
    await p.engine.waitUntilEnded(ID);
    expect(await record(runId)).toMatchObject({ result: "rejected", approval: { approved: false, by: "function key" } });
    // Another run's link, an altered one and an expired one: each refused with a page saying why.
    await page.goto(url(`/confirm?token=${encodeURIComponent(token.slice(0, -2))}xx`));
    expect(await page.locator("h1").textContent()).toBe("This link cannot be trusted");
    const expired = signLinkToken(SECRET, { runId, instanceId: ID, endpoint: "retrain", decision: "approve", expiresAt: Math.floor(Date.now() / 1000) - 60, id: newLinkId() });
    await page.goto(url(`/confirm?token=${encodeURIComponent(expired)}`));
    expect(await page.locator("h1").textContent()).toBe("This link has expired");
    await second.close();
  });

  it("refuses a form without its anti-forgery token, or sent from another site, changing nothing", async () => {
    const runId = await startThroughApi({ force: true, requireApproval: true }, "awaiting-approval");
    const post = (form: Record<string, string>, headers: Record<string, string> = {}) => context.request.post(url(`/runs/${encodeURIComponent(runId)}/decide`), { form, headers, maxRedirects: 0 });
    expect((await post({ decision: "approve" })).status()).toBe(403);
    await page.goto(url(`/runs/${encodeURIComponent(runId)}`));
    const csrf = await page.locator("#main input[name=csrf]").first().inputValue();
    expect((await post({ decision: "approve", csrf }, { Origin: "https://evil.example" })).status()).toBe(403);
    expect((await post({ decision: "approve", csrf: `${csrf}x` })).status()).toBe(403);
    expect(await status()).toMatchObject({ stage: "awaiting-approval" });
    // Its own token from its own page is taken: the decision lands.
    expect((await post({ decision: "reject", csrf, comment: "not now" })).status()).toBe(303);
    await p.engine.waitUntilEnded(ID);
    expect(await record(runId)).toMatchObject({ result: "rejected", approval: { comment: "not now" } });
  });

  it("has no serious or critical accessibility violations and breaks no Content-Security-Policy rule on its pages", async () => {
    const runs = ((await p.call("GET", "/api/runs?endpoint=retrain")).body as { runs: RunRecord[] }).runs;
    for (const at of ["", "/endpoints/retrain", `/runs/${encodeURIComponent(runs[0]!.runId)}`, `/endpoints/retrain/rollback?runId=${encodeURIComponent(runs.find((r) => r.result === "promoted")!.runId)}`]) {
      await page.goto(url(at));
      expect(await checkAccessibility(page), at || "/").toEqual([]);
    }
    if (SHOTS) {
      await page.goto(url("/endpoints/retrain"));
      await page.locator("h2", { hasText: "Gate metrics across runs" }).evaluate("(h) => h.scrollIntoView()");
      await page.screenshot({ path: path.join(SHOTS, "console-endpoint.png") });
    }
    expect(errors.cspViolations).toEqual([]);
    expect(errors.errors.filter((e) => !/status of (401|403|404|409|410|400)/.test(e))).toEqual([]);
  });
});
