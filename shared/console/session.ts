import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/** What a person may do in the console: Entra ID app roles of the app registration. */
export const ROLES = ["Viewer", "Operator", "Approver"] as const;
export type Role = (typeof ROLES)[number];

/** Who is using the console, as the platform (or the sign-in page) vouches for them. */
export interface ConsoleUser {
  /** Stable id: the Entra object id, or the session's random id for a key holder. */
  readonly id: string;
  /** What runs record as who acted. */
  readonly name: string;
  readonly roles: readonly Role[];
}

/** A key holder's session lasts a working day; signing in again is cheap. */
export const SESSION_LIFETIME_IN_SECONDS = 12 * 3600;
export const SESSION_COOKIE = "retrainer_console";
const MAX_TOKEN_CHARS = 1_024;

const mac = (secret: string, purpose: string, payload: string) => createHmac("sha256", secret).update(`${purpose}|${payload}`).digest("base64url");

function equal(a: string, b: string): boolean {
  const x = Buffer.from(a), y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** A signed session for someone who typed the console key: every role, named as a key holder. */
export function issueSession(secret: string, nowInMs: number): string {
  const payload = Buffer.from(JSON.stringify({ v: 1, sid: randomBytes(16).toString("base64url"), exp: Math.floor(nowInMs / 1000) + SESSION_LIFETIME_IN_SECONDS })).toString("base64url");
  return `${payload}.${mac(secret, "session", payload)}`;
}

/** The session's user, or undefined when the cookie is absent, altered, expired or not ours. */
export function readSession(secret: string, token: string | undefined, nowInMs: number): ConsoleUser | undefined {
  if (!token || token.length > MAX_TOKEN_CHARS) return undefined;
  const [payload, signature, extra] = token.split(".");
  if (!payload || !signature || extra !== undefined || !equal(signature, mac(secret, "session", payload))) return undefined;
  try {
    const v = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { v?: unknown; sid?: unknown; exp?: unknown };
    if (v.v !== 1 || typeof v.sid !== "string" || typeof v.exp !== "number" || !(v.exp * 1000 > nowInMs)) return undefined;
    return { id: `key:${v.sid}`, name: "console key", roles: [...ROLES] };
  } catch {
    return undefined;
  }
}

/**
 * The anti-forgery token of a user's forms: bound to who they are, unguessable without the
 * secret, so a page on another site cannot post a decision in their name.
 */
export const csrfToken = (secret: string, user: ConsoleUser): string => mac(secret, "csrf", user.id);

export const csrfMatches = (secret: string, user: ConsoleUser, presented: string | undefined): boolean =>
  typeof presented === "string" && presented.length < 200 && equal(presented, csrfToken(secret, user));

/** The key typed on the sign-in page, compared in constant time over digests (lengths differ). */
export function keyMatches(presented: string, key: string): boolean {
  const d = (s: string) => createHmac("sha256", "console-key").update(s).digest();
  return timingSafeEqual(d(presented), d(key));
}
