import { describe, expect, it } from "vitest";
import { escapeHtml, html } from "../../../shared/console/html";
import { csrfMatches, csrfToken, issueSession, readSession, SESSION_LIFETIME_IN_SECONDS } from "../../../shared/console/session";
import { safeNext } from "../../../functions/console/respond";
import { authenticate } from "../../../functions/console/auth";
import { HttpRequest } from "@azure/functions";
import { advance, summarize, daysSinceSuccess } from "../../../shared/history/endpoint-summary";
import type { RunRecord } from "../../../shared/history/run-record";

const SECRET = "a-console-secret-of-at-least-32-characters";

describe("the console's HTML", () => {
  it("escapes every interpolated value, markup and quotes included, and drops control characters", () => {
    const name = `"><img src=x onerror=alert(1)>'\`\u0007`;
    expect(html`<td title="${name}">${name}</td>`.text).toBe(`<td title="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;&#39;&#96;">&quot;&gt;&lt;img src=x onerror=alert(1)&gt;&#39;&#96;</td>`);
    expect(escapeHtml("a & b")).toBe("a &amp; b");
  });

  it("keeps markup it made itself, shows no number that is not finite", () => {
    const inner = html`<b>${"<x>"}</b>`;
    expect(html`<p>${inner}${[1, Number.NaN, undefined, false, null]}</p>`.text).toBe("<p><b>&lt;x&gt;</b>1–</p>");
  });
});

describe("console sessions and anti-forgery tokens", () => {
  const now = Date.parse("2026-12-07T12:00:00Z");

  it("a session the console issued is read back with every role until it expires", () => {
    const token = issueSession(SECRET, now);
    expect(readSession(SECRET, token, now + 1000)).toMatchObject({ name: "console key", roles: ["Viewer", "Operator", "Approver"] });
    expect(readSession(SECRET, token, now + SESSION_LIFETIME_IN_SECONDS * 1000)).toBeUndefined();
  });

  it("refuses an altered, foreign, malformed or oversized session", () => {
    const token = issueSession(SECRET, now);
    const [payload, mac] = token.split(".");
    const forged = Buffer.from(JSON.stringify({ v: 1, sid: "x", exp: 9_999_999_999 })).toString("base64url");
    for (const bad of [`${forged}.${mac}`, `${payload}.${mac!.slice(0, -1)}A`, issueSession("another-secret-of-at-least-32-characters", now), `${token}.x`, "", "x".repeat(5000)]) {
      expect(readSession(SECRET, bad, now)).toBeUndefined();
    }
  });

  it("an anti-forgery token matches only the user it was made for", () => {
    const alice = { id: "entra:a", name: "alice", roles: ["Approver" as const] };
    const bob = { id: "entra:b", name: "bob", roles: ["Approver" as const] };
    expect(csrfMatches(SECRET, alice, csrfToken(SECRET, alice))).toBe(true);
    expect(csrfMatches(SECRET, bob, csrfToken(SECRET, alice))).toBe(false);
    expect(csrfMatches(SECRET, alice, undefined)).toBe(false);
  });
});

describe("where sign-in sends a person back to", () => {
  it("only the console's own pages, never another site", () => {
    expect(safeNext("/api/console/runs/x?done=approve")).toBe("/api/console/runs/x?done=approve");
    for (const bad of ["https://evil.example/api/console", "//evil.example", "/api/consolex", "/api/console\\@evil", "/api/console /x", null, "/api/retrain"]) expect(safeNext(bad)).toBe("/api/console");
  });
});

describe("an endpoint's overview row", () => {
  const run = (runId: string, result: RunRecord["result"], startedAt: string, extra: Partial<RunRecord> = {}): RunRecord => ({
    runId, endpoint: "census", instanceId: "retrain-census", trigger: { kind: "schedule" }, dataSource: "x.csv", gateRules: "AUC>=0.8", result, durationsInSeconds: {}, startedAt, endedAt: startedAt, ...extra,
  });
  const model = (v: string) => ({ backend: "azureml" as const, name: "census", version: v });

  it("says what serves (the newest promotion or rollback), who approved it, and the alerts' numbers", () => {
    const runs = [
      run("r5", "rejected", "2026-12-05T00:00:00Z"), run("r4", "failed", "2026-12-04T00:00:00Z"), run("r3", "rejected", "2026-12-03T00:00:00Z"),
      run("r2", "promoted", "2026-12-02T00:00:00Z", { modelAfter: model("7"), approval: { approved: true, by: "alice" } }), run("r1", "promoted", "2026-12-01T00:00:00Z", { modelAfter: model("6") }),
    ];
    const s = summarize("census", runs, "2026-12-06T00:00:00Z");
    expect(s).toMatchObject({ lastRun: { runId: "r5", result: "rejected" }, serving: { model: model("7"), runId: "r2", approvedBy: "alice" }, health: { lastSuccessAt: "2026-12-05T00:00:00Z", rejectedInARow: 1 } });
    expect(daysSinceSuccess(s, Date.parse("2026-12-07T00:00:00Z"))).toBe(2);
  });

  it("with no decided run counts from the oldest run read; with no run at all, says nothing", () => {
    const s = summarize("census", [run("r1", "failed", "2026-12-01T00:00:00Z")], "2026-12-06T00:00:00Z");
    expect(daysSinceSuccess(s, Date.parse("2026-12-03T00:00:00Z"))).toBe(2);
    expect(daysSinceSuccess(summarize("census", [], "2026-12-06T00:00:00Z"), Date.now())).toBeUndefined();
  });

  it("advanced one record at a time says what a recount of the same runs says", () => {
    const results: RunRecord["result"][] = ["promoted", "rejected", "failed", "rejected", "rejected", "skipped", "dry-run", "promoted", "rolled-back", "rejected"];
    const runs = results.map((r, i) => run(`r${i}`, r, `2026-12-${String(i + 1).padStart(2, "0")}T10:00:00Z`, r === "promoted" || r === "rolled-back" ? { modelAfter: model(String(i)), modelBefore: model(String(i - 1)) } : { modelBefore: model("0") }));
    let s = summarize("census", runs.slice(0, 1), "2026-12-20T00:00:00Z");
    for (let i = 1; i < runs.length; i++) {
      s = advance(s, runs[i]!, "2026-12-20T00:00:00Z")!;
      const recount = summarize("census", runs.slice(0, i + 1).reverse(), "2026-12-20T00:00:00Z");
      expect({ ...s, health: { ...s.health, runsRead: 0 } }, `after ${runs[i]!.runId}`).toEqual({ ...recount, health: { ...recount.health, runsRead: 0 } });
    }
    // A late record of an older run, or the newest rewritten, is recounted instead.
    expect(advance(s, runs[3]!, "2026-12-20T00:00:00Z")).toBeUndefined();
    expect(advance(s, runs.at(-1)!, "2026-12-20T00:00:00Z")).toBeUndefined();
    expect(advance(undefined, runs[0]!, "2026-12-20T00:00:00Z")).toBeUndefined();
  });
});

describe("who the console sees behind App Service Authentication", () => {
  const settings = { WEBSITE_AUTH_ENABLED: true, RETRAIN_CONSOLE_SECRET: SECRET, RETRAIN_CONSOLE_KEY: undefined };
  const request = (principal: unknown) => new HttpRequest({
    method: "GET", url: "https://app.example/api/console",
    headers: { "x-ms-client-principal": Buffer.from(JSON.stringify(principal)).toString("base64"), "x-ms-client-principal-name": "alice@contoso.com", "x-ms-client-principal-idp": "aad" },
  });

  it("takes the roles from the principal's role claims, and nothing from claims that are not objects", () => {
    const a = authenticate(request({ role_typ: "roles", claims: [null, 7, "Approver", { typ: "roles", val: "Viewer" }, { typ: "roles", val: "Owner" }] }), settings, Date.now());
    expect("user" in a && a.user).toMatchObject({ name: "alice@contoso.com (aad)", roles: ["Viewer"] });
  });

  it("refuses a principal with none of the app's roles, naming them", () => {
    const a = authenticate(request({ claims: [] }), settings, Date.now());
    expect("refused" in a && a.refused).toMatchObject({ status: 403, message: expect.stringContaining("(Viewer, Operator, Approver)") as unknown });
  });
});

