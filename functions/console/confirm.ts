import * as df from "durable-functions";
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { appDependencies, appSettings } from "../app/dependencies";
import { html } from "../../shared/console/html";
import { verifyLinkToken, type LinkClaims } from "../../shared/console/link-token";
import { callerOf } from "../triggers/caller";
import { decisionHandler } from "../triggers/register";
import { may, sameOriginForm } from "./auth";
import { frame, needs, refuse, signedIn, type SignedIn } from "./guard";
import { loadRun } from "./load-run";
import { page } from "./layout";
import { CONSOLE_PATH, htmlResponse, readForm, redirect } from "./respond";
import { apiAnswer, apiRequest } from "./via-api";
import { bytes, endpointHref, metric, model, runHref, when } from "./format";

/** The token's claims, or the page that says why it cannot be used. */
function checkToken(request: HttpRequest, a: SignedIn, token: string): LinkClaims | HttpResponseInit {
  const check = verifyLinkToken(a.secret, token, Date.now());
  if (check.ok) return check.claims;
  const titles = { malformed: "This link is incomplete", altered: "This link cannot be trusted", expired: "This link has expired" } as const;
  return refuse(request, a, check.problem === "expired" ? 410 : 400, titles[check.problem], check.message, { href: CONSOLE_PATH, text: "Open the console" });
}

/**
 * `GET /api/console/confirm?token=…`: where a chat message's Approve or Reject button leads.
 * Opening it (or a link-preview bot fetching it) changes nothing: it shows the run, exactly what
 * would be decided, and a button. The POST confirms, once: the token's id is spent first.
 */
df.app.client.http("consoleConfirm", {
  route: "console/confirm", methods: ["GET", "POST"], authLevel: "anonymous",
  handler: signedIn(async (request: HttpRequest, client: df.DurableClient, context: InvocationContext, a: SignedIn): Promise<HttpResponseInit> => {
    if (!may(a.user, "Approver")) return needs(request, a, "Approver");
    if (request.method === "GET") {
      const claims = checkToken(request, a, request.query.get("token") ?? "");
      if (!("runId" in claims)) return claims;
      return confirmationPage(request, client, a, claims, request.query.get("token")!);
    }
    const form = await readForm(request);
    if (!form) return refuse(request, a, 413, "Too large", "The form is larger than the console accepts; nothing was changed.");
    const forged = sameOriginForm(request, a, form);
    if (forged) return refuse(request, a, 403, "Refused", `${forged} Nothing was changed.`);
    const claims = checkToken(request, a, form.get("token") ?? "");
    if (!("runId" in claims)) return claims;
    const by = callerOf(request, appSettings().WEBSITE_AUTH_ENABLED);
    const spent = await appDependencies().history.claim(claims.id, { runId: claims.runId, decision: claims.decision, by, at: new Date().toISOString() });
    if (!spent.claimed) {
      return refuse(request, a, 409, "This link was already used", `This link was used by ${spent.by} at ${spent.usedAt}; a link acts once. Nothing was changed now.`, { href: runHref(claims.runId), text: "See the run" });
    }
    const comment = form.get("comment")?.trim();
    const answer = apiAnswer(await decisionHandler(
      apiRequest(request, "POST", `/api/retrain/${encodeURIComponent(claims.instanceId)}/${claims.decision}`, { runId: claims.runId, ...(comment ? { comment } : {}) }, {}, { instanceId: claims.instanceId, decision: claims.decision }),
      client, context));
    if (!answer.ok) return refuse(request, a, answer.status, "Not done", answer.error ?? `The API answered ${answer.status}; nothing was changed.`, { href: runHref(claims.runId), text: "See the run" });
    return redirect(`${runHref(claims.runId)}?done=${claims.decision}`);
  }),
});

async function confirmationPage(request: HttpRequest, client: df.DurableClient, a: SignedIn, c: LinkClaims, token: string): Promise<HttpResponseInit> {
  const found = await loadRun(client, c.runId);
  if (!found) return refuse(request, a, 404, "No such run", `Run ${c.runId} is not recorded or in progress.`, { href: CONSOLE_PATH, text: "Open the console" });
  const r = found.record;
  if (!found.live.awaiting) return refuse(request, a, 409, "Nothing to decide", `Run ${c.runId} is not waiting for approval any more (it is ${r.result}); nothing can be decided from this link.`, { href: runHref(c.runId), text: "See the run" });
  const verb = c.decision === "approve" ? "Approve" : "Reject";
  const title = `${verb} run ${c.runId}?`;
  const metrics = Object.keys({ ...r.metrics, ...r.championMetrics });
  return htmlResponse(request, 200, page({ ...frame(a, title), breadcrumbs: [{ href: CONSOLE_PATH, text: "Overview" }, { href: endpointHref(r.endpoint), text: r.endpoint }] }, html`<h1>${title}</h1>
<p>${c.decision === "approve" ? html`Approving promotes the new model of run <strong>${c.runId}</strong> to endpoint <strong>${r.endpoint}</strong>.` : html`Rejecting keeps the serving model of <strong>${r.endpoint}</strong>; run <strong>${c.runId}</strong> ends without promoting.`} This link was made for this run and this decision only, and works once, until ${when(new Date(c.expiresAt * 1000).toISOString())}.</p>
<div class="cards"><dl class="card"><dt>New model</dt><dd>${model(r.modelAfter) === "–" ? "trained by this run" : model(r.modelAfter)}</dd><dt>Data</dt><dd>${bytes(r.dataBytes)}, passed the data checks</dd></dl>
<dl class="card"><dt>Gate</dt><dd>${r.decision ? (r.decision.passed ? "passed" : "failed") : "–"}</dd>${r.decision ? html`<dd><ul>${r.decision.reasons.map((x) => html`<li>${x}</li>`)}</ul></dd>` : html``}</dl></div>
${metrics.length ? html`<table id="metrics"><thead><tr><th scope="col">Metric</th><th scope="col" class="num">New model</th><th scope="col" class="num">Serving model</th></tr></thead><tbody>${metrics.map((m) => html`<tr><th scope="row">${m}</th><td class="num">${metric(r.metrics?.[m])}</td><td class="num">${metric(r.championMetrics?.[m])}</td></tr>`)}</tbody></table>` : html``}
<form class="action" method="post" action="${CONSOLE_PATH}/confirm"><input type="hidden" name="csrf" value="${a.csrf}"><input type="hidden" name="token" value="${token}">
<label for="confirm-comment">Comment (recorded with your decision)</label><br><textarea id="confirm-comment" name="comment" rows="2" maxlength="1000"></textarea><br>
<button type="submit" class="${c.decision === "approve" ? "primary" : "danger"}">${verb} run ${c.runId}</button> <a href="${runHref(c.runId)}">Open the run instead</a></form>`));
}
