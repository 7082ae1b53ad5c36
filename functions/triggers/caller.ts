import type { HttpRequest } from "@azure/functions";

/** Who a run records when the platform has not identified the caller: all that is known is that the key was right. */
export const FUNCTION_KEY_CALLER = "function key";
const MAX_NAME_CHARS = 256;

/**
 * The caller as the platform vouches for it. With App Service authentication enabled on the app
 * (the platform then sets WEBSITE_AUTH_ENABLED=True, the signal Microsoft.Identity.Web's
 * AppServicesAuthenticationInformation reads too), App Service drops any X-MS-CLIENT-PRINCIPAL*
 * headers a client sends and sets its own for a signed-in caller. Without it those headers are
 * whatever the caller typed, so they are ignored. A principal counts only when its encoded claims
 * header is present and decodes to an object: the name alone is not what App Service sends.
 * `request.user` is not used: it throws on a principal header without its id header.
 */
export function callerOf(request: HttpRequest, authEnabled: boolean): string {
  if (!authEnabled) return FUNCTION_KEY_CALLER;
  const encoded = request.headers.get("x-ms-client-principal");
  const name = request.headers.get("x-ms-client-principal-name");
  if (!encoded || !name || !decodesToObject(encoded)) return FUNCTION_KEY_CALLER;
  const idp = request.headers.get("x-ms-client-principal-idp");
  return `${clean(name)}${idp ? ` (${clean(idp)})` : ""}`;
}

function decodesToObject(encoded: string): boolean {
  try {
    const v: unknown = JSON.parse(Buffer.from(encoded, "base64").toString("utf8"));
    return typeof v === "object" && v !== null && !Array.isArray(v);
  } catch {
    return false;
  }
}

/** Printable and bounded: it goes into records, telemetry and log lines. */
const clean = (text: string) => text.replace(/[\p{Cc}\p{Cf}]/gu, "").slice(0, MAX_NAME_CHARS);
