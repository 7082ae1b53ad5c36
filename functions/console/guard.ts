import type * as df from "durable-functions";
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import type { Role } from "../../shared/console/session";
import { appSettings } from "../app/dependencies";
import { authenticate, consoleMode, type Access } from "./auth";
import { messagePage } from "./layout";
import { CONSOLE_PATH, htmlResponse } from "./respond";

export type SignedIn = Extract<Access, { user: unknown }>;
type Handler = (request: HttpRequest, client: df.DurableClient, context: InvocationContext, access: SignedIn) => Promise<HttpResponseInit>;

/**
 * The console's routes are anonymous to the Functions host (a browser cannot send a function key)
 * and authenticate themselves here, before anything is read: App Service Authentication's
 * principal with its app roles, or a session from the sign-in page.
 */
export function signedIn(handler: Handler) {
  return async (request: HttpRequest, client: df.DurableClient, context: InvocationContext): Promise<HttpResponseInit> => {
    const access = authenticate(request, appSettings(), Date.now());
    if ("refused" in access) {
      const r = access.refused;
      return "message" in r ? htmlResponse(request, r.status, messagePage(r.status === 503 ? "The console is off" : "Not allowed", r.message)) : r;
    }
    return handler(request, client, context, access);
  };
}

export const frame = (a: SignedIn, title: string) => ({ title, user: a.user, csrf: a.csrf, entra: consoleMode(appSettings()).mode === "entra" });
export const refuse = (request: HttpRequest, a: SignedIn, status: number, title: string, message: string, back?: { href: string; text: string }) =>
  htmlResponse(request, status, messagePage(title, message, frame(a, title), back));
export const needs = (request: HttpRequest, a: SignedIn, role: Role) =>
  refuse(request, a, 403, "Not allowed", `This needs the ${role} role; you hold ${a.user.roles.join(", ") || "none"}. Nothing was changed.`, { href: CONSOLE_PATH, text: "Back to the overview" });

