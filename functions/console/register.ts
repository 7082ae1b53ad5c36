import * as df from "durable-functions";
import { app, type HttpRequest, type HttpResponseInit } from "@azure/functions";
import { appDependencies, appSettings } from "../app/dependencies";
import { backendOf, dataExpectationsOf, endpointSettingsOf } from "../../shared/config/settings";
import { parseGateRules, type GateRule } from "../../shared/evaluation/gate";
import { catalogueFor } from "../../shared/evaluation/catalogues";
import { issueSession, keyMatches, SESSION_COOKIE, SESSION_LIFETIME_IN_SECONDS } from "../../shared/console/session";
import { html } from "../../shared/console/html";
import { decisionHandler, startRunHandler } from "../triggers/register";
import { rollbackHandler } from "../triggers/rollback";
import { consoleMode, may, sameOriginForm } from "./auth";
import { CONSOLE_CSS, CONSOLE_JS } from "./assets";
import { activeRuns, provisionalRecord } from "./active-runs";
import { overview } from "./overview";
import { loadOverview } from "./load-overview";
import { endpointPage, rollbackTarget } from "./endpoint-page";
import { runPage } from "./run-page";
import { loginPage } from "./login-page";
import { messagePage, page } from "./layout";
import { CONSOLE_PATH, htmlResponse, readForm, redirect, respond, safeNext } from "./respond";
import { apiAnswer, apiRequest } from "./via-api";
import { endpointHref, model, runHref, when } from "./format";
import { frame, needs, refuse, signedIn, type SignedIn } from "./guard";
import { loadRun } from "./load-run";
import type { RunRecord } from "../../shared/history/run-record";

function configuredEndpoint(name: string): string | undefined {
  return appSettings().RETRAIN_ENDPOINTS.find((e) => e.toLowerCase() === name.toLowerCase());
}

function gateOf(endpoint: string): GateRule[] {
  const s = appSettings();
  try {
    return parseGateRules(endpointSettingsOf(s, endpoint)?.gate ?? s.RETRAIN_GATE, catalogueFor(backendOf(s, endpoint)));
  } catch {
    return [];
  }
}

// ---- pages ----

df.app.client.http("consoleOverview", {
  route: "console", methods: ["GET"], authLevel: "anonymous",
  handler: signedIn(async (request, client, _context, a) => {
    const s = appSettings();
    const { summaries, active } = await loadOverview(client, appDependencies().history, s.RETRAIN_ENDPOINTS);
    return htmlResponse(request, 200, page(frame(a, "Overview"), overview({ summaries, active, settings: s, nowInMs: Date.now() })));
  }),
});

df.app.client.http("consoleEndpoint", {
  route: "console/endpoints/{name}", methods: ["GET"], authLevel: "anonymous",
  handler: signedIn(async (request, client, _context, a) => {
    const endpoint = configuredEndpoint(request.params.name ?? "");
    if (!endpoint) return refuse(request, a, 404, "No such endpoint", `"${(request.params.name ?? "").slice(0, 100)}" is not an endpoint this app manages.`, { href: CONSOLE_PATH, text: "Back to the overview" });
    const after = request.query.get("after") ?? undefined;
    const history = appDependencies().history;
    // The three reads at once: one round trip per view, not three.
    const [listing, summary, active] = await Promise.all([
      history.list({ endpoint, limit: 50, ...(after ? { continuationToken: after } : {}) }).then((page) => ({ page }), (e: unknown) => ({ error: e })),
      history.summary(endpoint), after ? Promise.resolve([]) : activeRuns(client),
    ]);
    if ("error" in listing) {
      const e = listing.error as { code?: string; message?: string };
      if (e.code === "InvalidArgument") return refuse(request, a, 400, "Bad page link", e.message ?? "The page link is not valid.", { href: endpointHref(endpoint), text: "Newest runs" });
      throw listing.error;
    }
    const listed = listing.page;
    const now = active.filter((r) => r.endpoint.toLowerCase() === endpoint.toLowerCase() && !listed.runs.some((x) => x.runId === r.runId)).map(provisionalRecord);
    const s = appSettings();
    const body = endpointPage({
      endpoint, v2: backendOf(s, endpoint) === "azureml", ...(summary ? { summary } : {}), runs: [...now, ...listed.runs], ...(listed.continuationToken ? { nextPage: listed.continuationToken } : {}),
      firstPage: !after, rules: gateOf(endpoint), expectations: dataExpectationsOf(s, endpoint), user: a.user, csrf: a.csrf,
    });
    return htmlResponse(request, 200, page({ ...frame(a, endpoint), breadcrumbs: [{ href: CONSOLE_PATH, text: "Overview" }] }, body));
  }),
});

/**
 * The job in Azure ML studio (v2, in Azure: `ml.azure.com/runs/{job}?wsid={workspace}`). The local
 * v2 service has no studio, and classic BES jobs never had a page.
 */
function studioJobUrl(r: RunRecord): string | undefined {
  const s = appSettings();
  if (r.backend !== "azureml" || !r.jobId || !s.AZUREML_WORKSPACE_ID || new URL(s.AZUREML_ARM_URL).hostname !== "management.azure.com") return undefined;
  return `https://ml.azure.com/runs/${encodeURIComponent(r.jobId)}?wsid=${encodeURIComponent(s.AZUREML_WORKSPACE_ID)}`;
}

const NOTICES: Readonly<Record<string, string>> = {
  approve: "Your approval was sent: the run takes the first decision for it that it receives, and this page shows which.",
  reject: "Your rejection was sent: the run takes the first decision for it that it receives, and this page shows which.",
  cancel: "The run was cancelled.",
  started: "The run started.",
  rollback: "The rollback started.",
};

df.app.client.http("consoleRun", {
  route: "console/runs/{runId}", methods: ["GET"], authLevel: "anonymous",
  handler: signedIn(async (request, client, _context, a) => {
    const runId = request.params.runId ?? "";
    const found = await loadRun(client, runId);
    if (!found) return refuse(request, a, 404, "No such run", `No run "${runId.slice(0, 100)}" is recorded or in progress.`, { href: CONSOLE_PATH, text: "Back to the overview" });
    const deliveries = await appDependencies().history.deliveries(runId).catch(() => []);
    const notice = NOTICES[request.query.get("done") ?? ""];
    const jobUrl = studioJobUrl(found.record);
    const body = runPage({ record: found.record, deliveries, live: found.live, user: a.user, csrf: a.csrf, ...(notice ? { notice } : {}), ...(jobUrl ? { jobUrl } : {}) });
    const live = found.live.active ? { url: `${runHref(runId)}/live`, version: found.version } : undefined;
    return htmlResponse(request, 200, page({ ...frame(a, `Run ${runId}`), breadcrumbs: [{ href: CONSOLE_PATH, text: "Overview" }, { href: endpointHref(found.record.endpoint), text: found.record.endpoint }], ...(live ? { live } : {}) }, body));
  }),
});

// ---- actions: each through the HTTP API's own handler ----

df.app.client.http("consoleRunAction", {
  route: "console/runs/{runId}/{action}", methods: ["GET", "POST"], authLevel: "anonymous",
  handler: signedIn(async (request, client, context, a) => {
    const runId = request.params.runId ?? "";
    const action = request.params.action ?? "";
    if (request.method === "GET") {
      if (action !== "live") return refuse(request, a, 405, "Not a page", "Actions are taken with the buttons on the run's page.", { href: runHref(runId), text: "The run" });
      // What a page in progress asks every few seconds: one status read, and 304 when nothing moved.
      const found = await loadRun(client, runId);
      if (!found) return { status: 404, jsonBody: { error: `No run ${runId.slice(0, 100)}.` } };
      const etag = `"${found.version}"`;
      if (request.headers.get("if-none-match") === etag) return { status: 304, headers: { ETag: etag, "Cache-Control": "no-cache" } as Record<string, string> };
      return { status: 200, headers: { ETag: etag, "Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff" } as Record<string, string>, jsonBody: { version: found.version, active: found.live.active, result: found.record.result, stage: found.live.custom?.stage ?? null } };
    }
    const form = await readForm(request);
    if (!form) return refuse(request, a, 413, "Too large", "The form is larger than the console accepts; nothing was changed.");
    const forged = sameOriginForm(request, a, form);
    if (forged) return refuse(request, a, 403, "Refused", `${forged} Nothing was changed.`, { href: runHref(runId), text: "The run" });
    const decision = action === "decide" ? form.get("decision") : action === "cancel" ? "cancel" : undefined;
    if (decision !== "approve" && decision !== "reject" && decision !== "cancel") return refuse(request, a, 400, "Unknown action", "Use the Approve, Reject or Cancel buttons on the run's page.", { href: runHref(runId), text: "The run" });
    if (!may(a.user, decision === "cancel" ? "Operator" : "Approver")) return needs(request, a, decision === "cancel" ? "Operator" : "Approver");
    const found = await loadRun(client, runId);
    if (!found) return refuse(request, a, 404, "No such run", `No run "${runId.slice(0, 100)}" is recorded or in progress; nothing was changed.`, { href: CONSOLE_PATH, text: "Back to the overview" });
    const instanceId = found.record.instanceId;
    const comment = form.get("comment")?.trim();
    const answer = apiAnswer(await decisionHandler(
      apiRequest(request, "POST", `/api/retrain/${encodeURIComponent(instanceId)}/${decision}`, { runId, ...(comment ? { comment } : {}) }, {}, { instanceId, decision }), client, context));
    if (!answer.ok) return refuse(request, a, answer.status, "Not done", answer.error ?? `The API answered ${answer.status}; nothing was changed.`, { href: runHref(runId), text: "Back to the run" });
    return redirect(`${runHref(runId)}?done=${decision}`);
  }),
});

df.app.client.http("consoleEndpointAction", {
  route: "console/endpoints/{name}/{action}", methods: ["GET", "POST"], authLevel: "anonymous",
  handler: signedIn(async (request, client, context, a) => {
    const endpoint = configuredEndpoint(request.params.name ?? "");
    const action = request.params.action ?? "";
    if (!endpoint) return refuse(request, a, 404, "No such endpoint", `"${(request.params.name ?? "").slice(0, 100)}" is not an endpoint this app manages; nothing was changed.`, { href: CONSOLE_PATH, text: "Back to the overview" });
    if (action !== "start" && action !== "rollback") return refuse(request, a, 404, "No such page", "An endpoint can be started or rolled back.", { href: endpointHref(endpoint), text: endpoint });
    if (!may(a.user, "Operator")) return needs(request, a, "Operator");
    if (request.method === "GET") {
      if (action !== "rollback") return redirect(endpointHref(endpoint));
      return rollbackConfirmation(request, a, endpoint, request.query.get("runId") ?? "");
    }
    const form = await readForm(request);
    if (!form) return refuse(request, a, 413, "Too large", "The form is larger than the console accepts; nothing was changed.");
    const forged = sameOriginForm(request, a, form);
    if (forged) return refuse(request, a, 403, "Refused", `${forged} Nothing was changed.`, { href: endpointHref(endpoint), text: endpoint });
    const answer = apiAnswer(action === "start"
      ? await startRunHandler(apiRequest(request, "POST", "/api/retrain", { endpoint, ...(form.get("dryRun") === "true" ? { dryRun: true } : {}), ...(form.get("force") === "true" ? { force: true } : {}) }), client, context)
      : await rollbackHandler(apiRequest(request, "POST", `/api/endpoints/${encodeURIComponent(endpoint)}/rollback`, { runId: form.get("runId") ?? "" }, {}, { name: endpoint }), client, context));
    if (!answer.ok) return refuse(request, a, answer.status, "Not done", answer.error ?? `The API answered ${answer.status}; nothing was changed.`, { href: endpointHref(endpoint), text: endpoint });
    const runId = typeof answer.body.runId === "string" ? answer.body.runId : undefined;
    return redirect(runId ? `${runHref(runId)}?done=${action === "start" ? "started" : "rollback"}` : endpointHref(endpoint));
  }),
});

/** Before a rollback: what serves now and what will serve after, and the button that does it. */
async function rollbackConfirmation(request: HttpRequest, a: SignedIn, endpoint: string, runId: string): Promise<HttpResponseInit> {
  const history = appDependencies().history;
  const from = runId ? await history.get(runId).catch(() => undefined) : undefined;
  const v2 = backendOf(appSettings(), endpoint) === "azureml";
  const target = from && from.endpoint.toLowerCase() === endpoint.toLowerCase() ? rollbackTarget(from, v2) : undefined;
  if (!from || !target) return refuse(request, a, 404, "Nothing to roll back to", `Run "${runId.slice(0, 100)}" is not a promotion of ${endpoint} that left a model to go back to.`, { href: endpointHref(endpoint), text: endpoint });
  const summary = await history.summary(endpoint);
  const title = `Roll back ${endpoint}`;
  return htmlResponse(request, 200, page({ ...frame(a, title), breadcrumbs: [{ href: CONSOLE_PATH, text: "Overview" }, { href: endpointHref(endpoint), text: endpoint }] }, html`<h1>${title}?</h1>
<div class="cards"><dl class="card"><dt>Serving now</dt><dd id="serving-now">${summary?.serving ? model(summary.serving.model) : "not known"}</dd>${summary?.serving ? html`<dt>Since</dt><dd>${when(summary.serving.since)}</dd>` : html``}</dl>
<dl class="card"><dt>Will serve after the rollback</dt><dd id="serving-after">${model(target)}</dd><dt>Which is</dt><dd>the model run <a href="${runHref(from.runId)}">${from.runId}</a> replaced on ${when(from.endedAt)}${from.rollout?.retained ? html` (still deployed as ${from.rollout.retained.deployment}: traffic moves back at once)` : html``}</dd></dl></div>
<form class="action" method="post" action="${endpointHref(endpoint)}/rollback"><input type="hidden" name="csrf" value="${a.csrf}"><input type="hidden" name="runId" value="${from.runId}">
<p>The endpoint is checked after the change, as after a promotion; if the check fails the run says so.</p>
<button type="submit" class="danger">Roll back to ${model(target)}</button> <a href="${endpointHref(endpoint)}">Keep the serving model</a></form>`));
}

// ---- sign-in, assets ----

app.http("consoleLogin", {
  route: "console/login", methods: ["GET", "POST"], authLevel: "anonymous",
  handler: async (request: HttpRequest): Promise<HttpResponseInit> => {
    const s = appSettings();
    const mode = consoleMode(s);
    if (mode.mode === "entra") return redirect(`/.auth/login/aad?post_login_redirect_uri=${encodeURIComponent(CONSOLE_PATH)}`);
    if (mode.mode === "off") return htmlResponse(request, 503, messagePage("The console is off", mode.why));
    if (request.method === "GET") return htmlResponse(request, 200, loginPage(safeNext(request.query.get("next"))));
    const site = request.headers.get("sec-fetch-site");
    if (site && site !== "same-origin" && site !== "none") return htmlResponse(request, 403, messagePage("Refused", "Sign in from the console's own page."));
    const form = await readForm(request);
    if (!form) return htmlResponse(request, 413, loginPage(CONSOLE_PATH, "The form is too large."));
    const next = safeNext(form.get("next"));
    if (!keyMatches(form.get("key") ?? "", s.RETRAIN_CONSOLE_KEY!)) return htmlResponse(request, 401, loginPage(next, "That is not this console's key."));
    const secure = new URL(request.url).protocol === "https:" ? "; Secure" : "";
    return redirect(next, { "Set-Cookie": `${SESSION_COOKIE}=${issueSession(mode.secret, Date.now())}; Path=${CONSOLE_PATH}; HttpOnly; SameSite=Lax; Max-Age=${SESSION_LIFETIME_IN_SECONDS}${secure}` });
  },
});

df.app.client.http("consoleLogout", {
  route: "console/logout", methods: ["POST"], authLevel: "anonymous",
  handler: signedIn(async (request, _client, _context, a) => {
    const form = await readForm(request);
    const forged = form ? sameOriginForm(request, a, form) : "The form is too large.";
    if (forged) return refuse(request, a, 403, "Refused", forged);
    return redirect(`${CONSOLE_PATH}/login`, { "Set-Cookie": `${SESSION_COOKIE}=; Path=${CONSOLE_PATH}; HttpOnly; SameSite=Lax; Max-Age=0` });
  }),
});

const ASSETS: Readonly<Record<string, { body: string; type: string }>> = {
  "console.css": { body: CONSOLE_CSS, type: "text/css; charset=utf-8" },
  "console.js": { body: CONSOLE_JS, type: "text/javascript; charset=utf-8" },
};

/** The stylesheet and script: no data in them, so no sign-in (the sign-in page needs its style too). */
app.http("consoleAssets", {
  route: "console/assets/{file}", methods: ["GET"], authLevel: "anonymous",
  handler: (request: HttpRequest): Promise<HttpResponseInit> => {
    const asset = Object.hasOwn(ASSETS, request.params.file ?? "") ? ASSETS[request.params.file!] : undefined;
    if (!asset) return Promise.resolve({ status: 404, body: "No such asset." });
    return Promise.resolve(respond(request, 200, asset.body, asset.type, { "Cache-Control": "public, max-age=300" }));
  },
});
