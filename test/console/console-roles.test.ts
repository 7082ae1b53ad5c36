import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startHostedPipeline, type HostedPipeline } from "../support/host";
import { describeWithBrowser } from "../support/browser";
import type { RunRecord } from "../../shared/history/run-record";

/**
 * Who may do what, with App Service Authentication on (WEBSITE_AUTH_ENABLED): the platform signs
 * people in with Entra ID and sets the principal headers on every request it lets through, which
 * is what each browser context here sends. Their app roles decide what the console shows and
 * what it does; four eyes are required (RETRAIN_APPROVER_MUST_DIFFER).
 */
const SECRET = "console-secret-for-the-role-tests-0123456789abc";
const ID = "retrain-retrain";

let p: HostedPipeline;

beforeAll(async () => {
  p = await startHostedPipeline({ speed: 2_000, settings: { WEBSITE_AUTH_ENABLED: "True", RETRAIN_CONSOLE_SECRET: SECRET, APPROVAL_TIMEOUT_HOURS: "100", RETRAIN_APPROVER_MUST_DIFFER: "true" } });
}, 120_000);
afterAll(() => p?.stop());

/** The headers App Service sets for a signed-in principal holding `roles`. */
function principal(name: string, roles: readonly string[]): Record<string, string> {
  const claims = [
    { typ: "http://schemas.microsoft.com/identity/claims/objectidentifier", val: `oid-${name}` },
    { typ: "name", val: name },
    ...roles.map((r) => ({ typ: "roles", val: r })),
  ];
  return {
    "x-ms-client-principal": Buffer.from(JSON.stringify({ auth_typ: "aad", claims, name_typ: "name", role_typ: "roles" })).toString("base64"),
    "x-ms-client-principal-name": name,
    "x-ms-client-principal-id": `oid-${name}`,
    "x-ms-client-principal-idp": "aad",
  };
}

const status = async () => (await p.call("GET", `/api/retrain/${ID}`)).body as Record<string, unknown>;
const record = async (runId: string) => (await p.call("GET", `/api/runs/${runId}`)).body as RunRecord;

describeWithBrowser("the console's roles under App Service Authentication", (browser) => {
  const people: BrowserContext[] = [];
  const as = async (name: string, roles: readonly string[]): Promise<Page> => {
    const context = await (browser()).newContext({ extraHTTPHeaders: principal(name, roles) });
    people.push(context);
    return context.newPage();
  };
  const url = (rest: string) => `${p.host.url}/api/console${rest}`;
  afterAll(async () => {
    for (const c of people) await c.close();
  });

  it("sends a visitor the platform has not signed in to Entra ID, and refuses a principal with no role", async () => {
    const anonymous = await (browser()).newContext();
    people.push(anonymous);
    const r = await anonymous.request.get(url("/endpoints/retrain"), { maxRedirects: 0 });
    expect(r.status()).toBe(303);
    expect(r.headers().location).toBe(`/.auth/login/aad?post_login_redirect_uri=${encodeURIComponent("/api/console/endpoints/retrain")}`);
    const nobody = await as("guest@contoso.com", []);
    const page = await nobody.goto(url(""));
    expect(page!.status()).toBe(403);
    expect(await nobody.locator("[role=alert]").textContent()).toContain("holds none of this app's roles (Viewer, Operator, Approver)");
  });

  it("a Viewer sees the endpoint and a waiting run but no action, and the console refuses one sent by hand", async () => {
    const operator = await as("bob@contoso.com", ["Operator"]);
    await operator.goto(url("/endpoints/retrain"));
    // Bob starts it; four eyes: someone else must decide.
    const started = await p.call("POST", "/api/retrain", { force: true, requireApproval: true });
    expect(started.status).toBe(202);
    const runId = (started.body as { runId: string }).runId;
    await expect.poll(async () => (await status()).stage, { timeout: 60_000, interval: 50 }).toBe("awaiting-approval");

    const viewer = await as("vera@contoso.com", ["Viewer"]);
    await viewer.goto(url("/endpoints/retrain"));
    expect(await viewer.locator("h1").textContent()).toBe("retrain");
    expect(await viewer.locator("form").filter({ hasText: "Start run" }).count()).toBe(0);
    expect(await viewer.locator("#targets a:has-text('Roll back')").count()).toBe(0);
    await viewer.goto(url(`/runs/${encodeURIComponent(runId)}`));
    expect(await viewer.locator(".waiting").textContent()).toContain("Only a person with the Approver role can decide; you hold Viewer.");
    expect(await viewer.locator("button:has-text('Approve')").count()).toBe(0);
    expect(await viewer.locator("button:has-text('Cancel this run')").count()).toBe(0);
    // Vera's own anti-forgery token, as a script on her page could read it: the role still decides.
    const csrf = (await viewer.locator("meta[name=csrf-token]").getAttribute("content"))!;
    const forced = await viewer.context().request.post(url(`/runs/${encodeURIComponent(runId)}/decide`), { form: { decision: "approve", csrf }, maxRedirects: 0 });
    expect(forced.status()).toBe(403);
    expect(await forced.text()).toContain("This needs the Approver role; you hold Viewer. Nothing was changed.");
    expect(await status()).toMatchObject({ stage: "awaiting-approval", runtimeStatus: "Running" });

    // An Operator may cancel but not decide.
    await operator.goto(url(`/runs/${encodeURIComponent(runId)}`));
    expect(await operator.locator("button:has-text('Cancel this run')").count()).toBe(1);
    expect(await operator.locator("button:has-text('Approve')").count()).toBe(0);

    // An Approver decides, and the run records who.
    const approver = await as("alice@contoso.com", ["Viewer", "Approver"]);
    await approver.goto(url(`/runs/${encodeURIComponent(runId)}`));
    await approver.click("button:has-text('Approve and promote')");
    await approver.waitForURL(/\?done=approve$/);
    await p.engine.waitUntilEnded(ID);
    expect(await record(runId)).toMatchObject({ result: "promoted", approval: { approved: true, by: "alice@contoso.com (aad)" } });
  });

  it("four eyes: who started a run cannot approve it in the console; another Approver can", async () => {
    const both = await as("olga@contoso.com", ["Operator", "Approver"]);
    // The console's start form has no approval switch: Olga starts it through the API, as the platform identifies her.
    const started = await p.call("POST", "/api/retrain", { force: true, requireApproval: true }, undefined, principal("olga@contoso.com", ["Operator", "Approver"]));
    const runId = (started.body as { runId: string }).runId;
    await expect.poll(async () => (await status()).stage, { timeout: 60_000, interval: 50 }).toBe("awaiting-approval");
    await both.goto(url(`/runs/${encodeURIComponent(runId)}`));
    await both.click("button:has-text('Approve and promote')");
    expect(await both.locator("[role=alert]").textContent()).toBe(`Run ${runId} was started by olga@contoso.com (aad), who may not also decide it (RETRAIN_APPROVER_MUST_DIFFER); another person must. Nothing was changed.`);
    expect(await status()).toMatchObject({ stage: "awaiting-approval" });
    const other = await as("alice@contoso.com", ["Approver"]);
    await other.goto(url(`/runs/${encodeURIComponent(runId)}`));
    await other.click("button:has-text('Reject')");
    await other.waitForURL(/\?done=reject$/);
    await p.engine.waitUntilEnded(ID);
    expect(await record(runId)).toMatchObject({ result: "rejected", approval: { approved: false, by: "alice@contoso.com (aad)" }, trigger: { caller: "olga@contoso.com (aad)" } });
  });
});
