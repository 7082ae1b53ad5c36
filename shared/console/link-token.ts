import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { z } from "zod";

/**
 * The one-time links chat messages carry to the console's confirm page
 * (`{appBaseUrl}/api/console/confirm?token=…`): whoever opens one sees the run and confirms a
 * decision, signed in; opening it changes nothing. Format, version 1:
 *
 *   base64url(JSON claims) "." base64url(HMAC-SHA256(RETRAIN_CONSOLE_SECRET, the first part))
 *
 * The claims name the run, its instance and endpoint, the decision, `expiresAt` (whole seconds
 * since 1970, UTC: a number compares without parsing and cannot be read in another time zone)
 * and `id`, 16 random bytes in base64url, which the confirming POST claims once
 * (./used-links). A valid token is only a valid token: the caller checks that it names the run
 * it is confirming. The console's sessions and forms sign `{purpose}|{payload}` (./session), never
 * a bare payload, so no token of theirs verifies as a link and no link as one of theirs.
 */
export const LINK_TOKEN_VERSION = 1;
/** A token longer than this is refused before it is split, decoded or hashed. */
export const MAX_LINK_TOKEN_CHARS = 2_048;
export const LINK_DECISIONS = ["approve", "reject"] as const;
export type LinkDecision = (typeof LINK_DECISIONS)[number];

/** 16 bytes in base64url, unpadded. */
const LINK_ID = /^[A-Za-z0-9_-]{22}$/;
export const isLinkId = (id: unknown): id is string => typeof id === "string" && LINK_ID.test(id);
/** A SHA-256 MAC in base64url, unpadded. */
const MAC = /^[A-Za-z0-9_-]{43}$/;
const PAYLOAD = /^[A-Za-z0-9_-]+$/;

const name = z.string().min(1).max(256);
const claimsSchema = z.object({
  v: z.literal(LINK_TOKEN_VERSION),
  runId: name,
  instanceId: name,
  endpoint: name,
  decision: z.enum(LINK_DECISIONS),
  // At most 9999-12-31T23:59:59Z, so every expiry can be shown as a date.
  expiresAt: z.number().int().positive().max(253_402_300_799),
  id: z.string().regex(LINK_ID),
}).strict();

export type LinkClaims = Omit<z.infer<typeof claimsSchema>, "v">;

export type LinkCheck =
  | { readonly ok: true; readonly claims: LinkClaims }
  | { readonly ok: false; readonly problem: "malformed" | "altered" | "expired"; readonly message: string };

/** A fresh one-time id: made where the token is (an activity), never in an orchestrator. */
export const newLinkId = (): string => randomBytes(16).toString("base64url");

const mac = (secret: string, payload: string): string => createHmac("sha256", secret).update(payload, "utf8").digest("base64url");

/**
 * The signed token. Throws a RangeError for claims `verifyLinkToken` would refuse (a bad id, a
 * name too long, a token over MAX_LINK_TOKEN_CHARS): no link is made that could never be used.
 */
export function signLinkToken(secret: string, claims: LinkClaims): string {
  const checked = claimsSchema.safeParse({ v: LINK_TOKEN_VERSION, ...claims });
  if (!checked.success) throw new RangeError(`link token: the claims are not valid (${checked.error.issues.map((i) => i.path.join(".")).join(", ")})`);
  const payload = Buffer.from(JSON.stringify(checked.data), "utf8").toString("base64url");
  const token = `${payload}.${mac(secret, payload)}`;
  if (token.length > MAX_LINK_TOKEN_CHARS) throw new RangeError(`link token: ${token.length} characters, over ${MAX_LINK_TOKEN_CHARS}`);
  return token;
}

const MALFORMED = "This is not a complete confirmation link (it may have been cut short when it was copied); open the run's page in the console to decide.";
const ALTERED = "This link was changed after it was made, or was made for another installation, so it cannot be trusted; open the run's page in the console to decide.";

/**
 * The token's claims, or why it cannot be used, as data: `message` is a sentence for the page
 * that shows it. The MAC is checked (in constant time, over the text as given: no second
 * encoding of the same bytes passes) before any of the payload is parsed.
 */
export function verifyLinkToken(secret: string, token: string, nowInMs: number): LinkCheck {
  if (typeof token !== "string" || token.length > MAX_LINK_TOKEN_CHARS) return { ok: false, problem: "malformed", message: MALFORMED };
  const parts = token.split(".");
  const [payload, signature] = parts;
  if (parts.length !== 2 || !payload || !signature || !PAYLOAD.test(payload) || !MAC.test(signature)) return { ok: false, problem: "malformed", message: MALFORMED };
  const want = Buffer.from(mac(secret, payload)), got = Buffer.from(signature);
  if (want.length !== got.length || !timingSafeEqual(want, got)) return { ok: false, problem: "altered", message: ALTERED };
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  } catch {
    parsed = undefined;
  }
  // Signed with our secret but not a link of this version: another kind of token, or a future one.
  const r = claimsSchema.safeParse(parsed);
  if (!r.success) return { ok: false, problem: "malformed", message: MALFORMED };
  const { v: _v, ...claims } = r.data;
  if (nowInMs >= claims.expiresAt * 1000) {
    const at = new Date(claims.expiresAt * 1000).toISOString().replace(/:\d\d\.\d{3}Z$/, " UTC").replace("T", " ");
    return { ok: false, problem: "expired", message: `This link expired at ${at}; ask for a new one or decide on the run's page in the console.` };
  }
  return { ok: true, claims };
}
