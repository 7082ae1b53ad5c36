import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { MAX_LINK_TOKEN_CHARS, newLinkId, signLinkToken, verifyLinkToken, type LinkClaims } from "../../../../shared/console/link-token";

const SECRET = "a-console-secret-of-at-least-32-chars!!";
const NOW = Date.parse("2026-12-03T10:20:00Z");
const CLAIMS: LinkClaims = {
  runId: "retrain-20261203T101010Z-abc123", instanceId: "retrain-retrain", endpoint: "retrain", decision: "approve",
  expiresAt: Date.parse("2026-12-06T10:20:00Z") / 1000, id: "AAAAAAAAAAAAAAAAAAAAAA",
};
const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64url");
const json = (token: string) => JSON.parse(Buffer.from(token.split(".")[0]!, "base64url").toString("utf8")) as Record<string, unknown>;

describe("a confirmation link's token", () => {
  it("round trip: the claims come back as signed, the payload is readable JSON with a version, the MAC is HMAC-SHA256", () => {
    const token = signLinkToken(SECRET, CLAIMS);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(json(token)).toEqual({ v: 1, ...CLAIMS });
    expect(verifyLinkToken(SECRET, token, NOW)).toEqual({ ok: true, claims: CLAIMS });
    // an URL carries it as it is
    expect(encodeURIComponent(token)).toBe(token);
  });

  it("ids are 16 random bytes, base64url, never the same twice", () => {
    const ids = new Set(Array.from({ length: 1000 }, newLinkId));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(Buffer.from([...ids][0]!, "base64url")).toHaveLength(16);
  });

  it("an altered payload (another run, the other decision, a later expiry) is refused as altered", () => {
    const [, mac] = signLinkToken(SECRET, CLAIMS).split(".");
    for (const change of [{ runId: "retrain-20261203T101010Z-ffffff" }, { decision: "reject" }, { expiresAt: CLAIMS.expiresAt + 86_400 }]) {
      const forged = `${b64(JSON.stringify({ v: 1, ...CLAIMS, ...change }))}.${mac!}`;
      expect(verifyLinkToken(SECRET, forged, NOW)).toMatchObject({ ok: false, problem: "altered" });
    }
  });

  it("an altered signature, or one made with another secret, is refused as altered with a sentence a person can read", () => {
    const token = signLinkToken(SECRET, CLAIMS);
    const flipped = `${token.slice(0, -2)}${token.at(-2) === "A" ? "B" : "A"}${token.at(-1)!}`;
    const r = verifyLinkToken(SECRET, flipped, NOW);
    expect(r).toEqual({ ok: false, problem: "altered", message: expect.stringMatching(/^This link was changed after it was made.*open the run's page in the console to decide\.$/) as unknown });
    expect(verifyLinkToken(`${SECRET}-other`, token, NOW)).toMatchObject({ ok: false, problem: "altered" });
    expect(verifyLinkToken(SECRET, signLinkToken(`${SECRET}-other`, CLAIMS), NOW)).toMatchObject({ ok: false, problem: "altered" });
  });

  it("expired: refused from the second it names, saying when and what to do instead", () => {
    const token = signLinkToken(SECRET, CLAIMS);
    expect(verifyLinkToken(SECRET, token, CLAIMS.expiresAt * 1000 - 1).ok).toBe(true);
    expect(verifyLinkToken(SECRET, token, CLAIMS.expiresAt * 1000)).toEqual({
      ok: false, problem: "expired", message: "This link expired at 2026-12-06 10:20 UTC; ask for a new one or decide on the run's page in the console.",
    });
  });

  it.each<[string, string]>([
    ["empty", ""],
    ["no signature", b64(JSON.stringify({ v: 1, ...CLAIMS }))],
    ["three parts", `${signLinkToken(SECRET, CLAIMS)}.x`],
    ["cut short", signLinkToken(SECRET, CLAIMS).slice(0, -5)],
    ["padded base64", `${signLinkToken(SECRET, CLAIMS)}=`],
    ["characters outside base64url", `${b64("{}")}+/.${"A".repeat(43)}`],
    ["oversized", `${"A".repeat(MAX_LINK_TOKEN_CHARS)}.${"A".repeat(43)}`],
  ])("malformed (%s): refused before the MAC is worth checking", (_what, token) => {
    expect(verifyLinkToken(SECRET, token, NOW)).toMatchObject({ ok: false, problem: "malformed", message: expect.stringContaining("not a complete confirmation link") as unknown });
  });

  it("signed with the secret but not a link of this version (another shape, a field more or less, not JSON) is malformed", () => {
    // The format written out: HMAC-SHA256 over the first part's text.
    const signed = (payloadText: string) => `${b64(payloadText)}.${createHmac("sha256", SECRET).update(b64(payloadText)).digest("base64url")}`;
    for (const text of [JSON.stringify({ v: 2, ...CLAIMS }), JSON.stringify({ ...CLAIMS }), JSON.stringify({ v: 1, ...CLAIMS, role: "admin" }), JSON.stringify({ v: 1, ...CLAIMS, decision: "cancel" }), JSON.stringify({ v: 1, ...CLAIMS, id: "short" }), "not json", JSON.stringify({ v: 1, sid: "x", exp: 9e9 })]) {
      expect(verifyLinkToken(SECRET, signed(text), NOW), text).toMatchObject({ ok: false, problem: "malformed" });
    }
  });

  it("a token for another run is still a valid token, for ITS run: binding to the run shown is the caller's check on the claims", () => {
    const other = { ...CLAIMS, runId: "census-20261201T000000Z-000000", instanceId: "retrain-census", endpoint: "census" };
    const r = verifyLinkToken(SECRET, signLinkToken(SECRET, other), NOW);
    expect(r).toEqual({ ok: true, claims: other });
    expect(r.ok && r.claims.runId === CLAIMS.runId).toBe(false);
  });

  it("claims the verifier would refuse are never signed", () => {
    expect(() => signLinkToken(SECRET, { ...CLAIMS, id: "not-16-bytes" })).toThrow(RangeError);
    expect(() => signLinkToken(SECRET, { ...CLAIMS, runId: "" })).toThrow(RangeError);
    expect(() => signLinkToken(SECRET, { ...CLAIMS, expiresAt: 1.5 })).toThrow(RangeError);
    expect(() => signLinkToken(SECRET, { ...CLAIMS, endpoint: "é".repeat(256), instanceId: "é".repeat(256), runId: "é".repeat(256) })).toThrow(/over 2048/);
  });
});
