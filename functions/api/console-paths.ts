import { CONSOLE_PATH, MAX_FORM_BYTES } from "../console/respond";
import { ROLES, SESSION_COOKIE } from "../../shared/console/session";
import { ANYONE, FAILED, SIGNED_IN, error, html, json, redirect } from "./responses";
import type { JsonSchema, Operation, Parameter, PathItem, RequestBody, Response } from "./types";

const FORM_TYPE = "application/x-www-form-urlencoded";
const form = (properties: Record<string, JsonSchema>, required: readonly string[]): RequestBody => ({
  required: true, description: `A form of the console's own pages, at most ${MAX_FORM_BYTES} bytes.`,
  content: { [FORM_TYPE]: { schema: { type: "object", required, properties } } },
});
const csrf: JsonSchema = { type: "string", description: "The page's anti-forgery token (bound to the signed-in person)." };
const path = (name: string, description: string, values?: readonly string[]): Parameter => ({ name, in: "path", required: true, description, schema: { type: "string", ...(values ? { enum: values } : {}) } });
const query = (name: string, description: string): Parameter => ({ name, in: "query", description, schema: { type: "string" } });

/** What every signed-in page may answer besides its own. */
const GUARDED: Record<string, Response> = {
  "303": redirect("Not signed in: to the sign-in page (`/api/console/login?next=…`), or with App Service authentication to `/.auth/login/aad`."),
  "403": html(`Signed in without the role this needs (${ROLES.join(", ")}), or a form from another origin or without its token; nothing was changed.`),
  "503": html("The console is off: no RETRAIN_CONSOLE_SECRET, or neither App Service authentication nor RETRAIN_CONSOLE_KEY."),
  "500": FAILED,
};
const done = redirect("Done: to the run's page (`?done=…` says what was done).");
const refused = (what: string) => html(`${what}; nothing was changed.`);

const page = (operationId: string, summary: string, parameters: Parameter[], responses: Record<string, Response>, description?: string): Operation => ({
  operationId, summary, tags: ["console"], security: SIGNED_IN, parameters, responses: { ...GUARDED, ...responses }, ...(description ? { description } : {}),
});

const runId = path("runId", "The run.");
const endpoint = path("name", "A configured endpoint.");

/**
 * The operator console: HTML pages and form posts under /api/console. The Functions host lets
 * them through without a key; each authenticates itself first (App Service authentication's
 * principal and app roles, or the session cookie the sign-in page sets) and acts only through
 * the JSON API's own handlers.
 */
export const CONSOLE_PATHS: Record<string, PathItem> = {
  "/console": { get: page("consoleOverview", "Overview: every endpoint, runs waiting for a person first", [], { "200": html("The overview.") }) },
  "/console/endpoints/{name}": {
    get: page("consoleEndpoint", "An endpoint: gate metrics across runs, drift, rollback targets, its runs", [endpoint, query("after", "The next page's token.")], {
      "200": html("The endpoint's page."), "400": html("A page token that is not valid."), "404": html("No such endpoint."),
    }),
  },
  "/console/endpoints/{name}/{action}": {
    get: page("consoleEndpointActionPage", "The rollback confirmation (rollback); start redirects to the endpoint's page", [endpoint, path("action", "What to do.", ["start", "rollback"]), query("runId", "The promotion to undo (rollback).")], {
      "200": html("What serves now, what will serve after, and the button."), "303": redirect("Start: to the endpoint's page; or not signed in: to sign in."), "404": html("No such endpoint or action, or nothing to roll back to."),
    }),
    post: {
      ...page("consoleEndpointAction", "Start a run (dry run, force) or roll back, through the API's handlers", [endpoint, path("action", "What to do.", ["start", "rollback"])], {
        "303": redirect("Done: to the new run's page; or not signed in: to sign in."), "400": refused("The API refused the request"), "404": refused("No such endpoint, action or run"),
        "409": refused("A run of the endpoint is going, or the run left nothing to roll back to"), "413": refused("The form is too large"),
      }, "Needs the Operator role."),
      requestBody: form({ csrf, dryRun: { enum: ["true", "false"] }, force: { enum: ["true", "false"] }, runId: { type: "string", description: "rollback: the promotion to undo." } }, ["csrf"]),
    },
  },
  "/console/runs/{runId}": {
    get: page("consoleRun", "A run: timeline, gate reasons, metrics, data profile, deliveries; its actions", [runId, query("done", "What was just done, for the notice.")], {
      "200": html("The run's page."), "404": html("No such run recorded or in progress."),
    }),
  },
  "/console/runs/{runId}/{action}": {
    get: page("consoleRunLive", "What a page in progress polls (`live`); other actions are buttons", [runId, path("action", "`live`.")], {
      "200": json("The run's state and version.", { $ref: "#/components/schemas/LiveState" }, { ETag: { description: "The version, for If-None-Match.", schema: { type: "string" } } }),
      "304": { description: "Nothing moved since the ETag sent in If-None-Match." },
      "404": error("No such run."),
      "405": html("Not a page: actions are taken with the buttons on the run's page."),
    }),
    post: {
      ...page("consoleRunAction", "Approve, reject (`decide`) or cancel the run, through the API's handler", [runId, path("action", "What to do.", ["decide", "cancel"])], {
        "303": done, "400": refused("An unknown action or decision, or the API refused it"), "404": refused("No such run"), "409": refused("The run is not awaiting approval, or not the run on its instance"), "413": refused("The form is too large"),
      }, "Approve/reject need the Approver role, cancel the Operator role."),
      requestBody: form({ csrf, decision: { enum: ["approve", "reject"] }, comment: { type: "string" } }, ["csrf"]),
    },
  },
  "/console/confirm": {
    get: page("consoleConfirmPage", "Where a chat message's Approve/Reject button leads: shows the run and the decision, changes nothing", [query("token", "The signed one-time link token.")], {
      "200": html("The confirmation page."), "400": html("The link is incomplete or altered."), "404": html("No such run."), "409": html("The run is not waiting for approval any more."), "410": html("The link has expired."),
    }, "Needs the Approver role."),
    post: {
      ...page("consoleConfirm", "Confirm the link's decision, once", [], {
        "303": done, "400": refused("The link is incomplete or altered, or the API refused the decision"), "409": refused("The link was already used, or the run is not awaiting approval"), "410": refused("The link has expired"), "413": refused("The form is too large"),
      }, "Spends the link's one-time id first, then decides through the API's handler. Needs the Approver role."),
      requestBody: form({ csrf, token: { type: "string" }, comment: { type: "string" } }, ["csrf", "token"]),
    },
  },
  "/console/login": {
    get: {
      operationId: "consoleLoginPage", summary: "The sign-in page (with App Service authentication: a redirect to Entra ID's sign-in)", tags: ["console"],
      description: "Anyone may ask for the sign-in page: it shows nothing but the form.",
      security: ANYONE, parameters: [query("next", `A page of the console to return to (anything else: ${CONSOLE_PATH}).`)],
      responses: { "200": html("The sign-in form."), "303": redirect("App Service authentication is on: to `/.auth/login/aad`."), "503": GUARDED["503"]!, "500": FAILED },
    },
    post: {
      operationId: "consoleLogin", summary: "Sign in with the console key", tags: ["console"],
      description: "Anyone may try the key: this is the way in. From another site (Sec-Fetch-Site) it is refused.",
      security: ANYONE,
      requestBody: form({ key: { type: "string", description: "RETRAIN_CONSOLE_KEY." }, next: { type: "string" } }, ["key"]),
      responses: {
        "303": redirect("Signed in: to `next`, with the session cookie.", { "Set-Cookie": { description: `\`${SESSION_COOKIE}\`: HttpOnly, SameSite=Lax, Path=${CONSOLE_PATH}.`, schema: { type: "string" } } }),
        "401": html("Not this console's key."), "403": html("Posted from another site."), "413": html("The form is too large."), "503": GUARDED["503"]!, "500": FAILED,
      },
    },
  },
  "/console/logout": {
    post: {
      ...page("consoleLogout", "Sign out", [], { "303": redirect("To the sign-in page, the session cookie cleared.") }),
      requestBody: form({ csrf }, ["csrf"]),
    },
  },
  "/console/assets/{file}": {
    get: {
      operationId: "consoleAsset", summary: "The console's stylesheet and script", tags: ["console"],
      description: "Anyone may fetch them: they carry no data, and the sign-in page needs them before anyone is signed in.",
      security: ANYONE, parameters: [path("file", "The asset.", ["console.css", "console.js"])],
      responses: {
        "200": { description: "The file (cached for 5 minutes).", content: { "text/css": { schema: { type: "string" } }, "text/javascript": { schema: { type: "string" } } } },
        "404": { description: "No such asset.", content: { "text/plain": { schema: { type: "string" } } } },
        "500": FAILED,
      },
    },
  },
};
