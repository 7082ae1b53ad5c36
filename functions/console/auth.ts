import type { HttpRequest, HttpResponseInit } from "@azure/functions";
import type { Settings } from "../../shared/config/settings";
import { ROLES, SESSION_COOKIE, readSession, csrfToken, csrfMatches, type ConsoleUser, type Role } from "../../shared/console/session";
import { callerOf } from "../triggers/caller";
import { CONSOLE_PATH, redirect } from "./respond";

export type ConsoleSettings = Pick<Settings, "WEBSITE_AUTH_ENABLED" | "RETRAIN_CONSOLE_KEY" | "RETRAIN_CONSOLE_SECRET">;

/** A signed-in person and their form token, or the answer that sends them to sign in (or says why not). */
export type Access = { readonly user: ConsoleUser; readonly csrf: string; readonly secret: string } | { readonly refused: HttpResponseInit | { readonly status: number; readonly message: string } };

/** How the console is entered here: App Service Authentication (Entra ID), a key's session, or not at all. */
export function consoleMode(s: ConsoleSettings): { mode: "entra" | "key"; secret: string } | { mode: "off"; why: string } {
  if (!s.RETRAIN_CONSOLE_SECRET) return { mode: "off", why: "RETRAIN_CONSOLE_SECRET is not set: the console signs its sessions and forms with it." };
  if (s.WEBSITE_AUTH_ENABLED) return { mode: "entra", secret: s.RETRAIN_CONSOLE_SECRET };
  if (s.RETRAIN_CONSOLE_KEY) return { mode: "key", secret: s.RETRAIN_CONSOLE_SECRET };
  return { mode: "off", why: "Neither App Service Authentication (Microsoft Entra ID) nor RETRAIN_CONSOLE_KEY is set: nobody could be identified." };
}

export function cookieOf(request: HttpRequest, name: string): string | undefined {
  for (const part of (request.headers.get("cookie") ?? "").split(";")) {
    const i = part.indexOf("=");
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}

/**
 * Who is asking, decided before any body is read. With App Service Authentication the platform
 * has signed them in and sets the principal headers (callerOf trusts them only then); their app
 * roles come from the principal's role claims. Otherwise a session the sign-in page issued to
 * whoever typed the console key.
 */
export function authenticate(request: HttpRequest, s: ConsoleSettings, nowInMs: number): Access {
  const mode = consoleMode(s);
  if (mode.mode === "off") return { refused: { status: 503, message: `The console is off. ${mode.why}` } };
  const next = new URL(request.url);
  const back = encodeURIComponent(`${next.pathname}${next.search}`);
  if (mode.mode === "entra") {
    const user = entraUser(request);
    if (!user) return { refused: redirect(`/.auth/login/aad?post_login_redirect_uri=${back}`) };
    if (user.roles.length === 0) return { refused: { status: 403, message: `${user.name} is signed in but holds none of this app's roles (${ROLES.join(", ")}); ask an owner of the app registration to assign one.` } };
    return { user, csrf: csrfToken(mode.secret, user), secret: mode.secret };
  }
  const user = readSession(mode.secret, cookieOf(request, SESSION_COOKIE), nowInMs);
  if (!user) return { refused: redirect(`${CONSOLE_PATH}/login?next=${back}`) };
  return { user, csrf: csrfToken(mode.secret, user), secret: mode.secret };
}

/** The principal App Service signed in, with the app roles its token carries. */
function entraUser(request: HttpRequest): ConsoleUser | undefined {
  const name = callerOf(request, true);
  const encoded = request.headers.get("x-ms-client-principal");
  if (!encoded || name === "function key") return undefined;
  let principal: { claims?: { typ?: unknown; val?: unknown }[]; role_typ?: unknown };
  try {
    principal = JSON.parse(Buffer.from(encoded, "base64").toString("utf8")) as typeof principal;
  } catch {
    return undefined;
  }
  const roleType = typeof principal.role_typ === "string" ? principal.role_typ : "roles";
  // Only App Service sets this header when authentication is on; read it defensively all the same.
  const claims = Array.isArray(principal.claims) ? principal.claims.filter((c) => typeof c === "object" && c !== null) : [];
  const held = new Set(claims.filter((c) => (c.typ === roleType || c.typ === "roles") && typeof c.val === "string").map((c) => c.val as string));
  const oid = claims.find((c) => c.typ === "http://schemas.microsoft.com/identity/claims/objectidentifier" || c.typ === "oid")?.val;
  const id = request.headers.get("x-ms-client-principal-id") ?? (typeof oid === "string" ? oid : name);
  return { id: `entra:${id}`, name, roles: ROLES.filter((r) => held.has(r)) };
}

/** What each action needs; seeing needs any role. */
export const may = (user: ConsoleUser, role: Role): boolean => user.roles.includes(role);

/**
 * A state-changing request is this console's own form: its token matches the user, and the
 * browser (when it says) sent it from this origin. Either alone could be enough; both are cheap.
 */
export function sameOriginForm(request: HttpRequest, access: { user: ConsoleUser; secret: string }, form: URLSearchParams): string | undefined {
  const site = request.headers.get("sec-fetch-site");
  if (site && site !== "same-origin") return `The request came from another site (Sec-Fetch-Site: ${site.slice(0, 20)}).`;
  const origin = request.headers.get("origin");
  if (origin && origin !== "null" && origin !== new URL(request.url).origin) return "The request came from another origin.";
  if (origin === "null") return "The request came from an opaque origin.";
  if (!csrfMatches(access.secret, access.user, form.get("csrf") ?? undefined)) return "The form's anti-forgery token is missing or not yours; reload the page and try again.";
  return undefined;
}
