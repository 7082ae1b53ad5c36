import { describe, expect, it } from "vitest";
import { HttpRequest } from "@azure/functions";
import { callerOf, FUNCTION_KEY_CALLER } from "../../../functions/triggers/caller";

const principal = Buffer.from(JSON.stringify({ auth_typ: "aad", claims: [{ typ: "name", val: "Ana" }], name_typ: "name", role_typ: "roles" })).toString("base64");
const request = (headers: Record<string, string>) => new HttpRequest({ url: "http://localhost/api/retrain", method: "POST", headers });

describe("callerOf: who a run records as its caller or approver", () => {
  it("ignores principal headers when App Service authentication is off: a caller can type them", () => {
    expect(callerOf(request({ "x-ms-client-principal-name": "ceo@contoso.com", "x-ms-client-principal": principal, "x-ms-client-principal-idp": "aad" }), false)).toBe(FUNCTION_KEY_CALLER);
  });

  it("records the platform's principal when authentication is on", () => {
    expect(callerOf(request({ "x-ms-client-principal-name": "ana@contoso.com", "x-ms-client-principal": principal, "x-ms-client-principal-idp": "aad", "x-ms-client-principal-id": "00000000-0000-0000-0000-000000000001" }), true)).toBe("ana@contoso.com (aad)");
  });

  it.each([
    ["a name without the encoded principal", { "x-ms-client-principal-name": "ana@contoso.com" }],
    ["an encoded principal that is not JSON", { "x-ms-client-principal-name": "ana", "x-ms-client-principal": "%%%" }],
    ["an encoded principal that is not an object", { "x-ms-client-principal-name": "ana", "x-ms-client-principal": Buffer.from("[1]").toString("base64") }],
    ["an encoded principal without a name", { "x-ms-client-principal": principal }],
  ])("falls back to the function key on %s (not what App Service sends), without throwing", (_what, headers) => {
    expect(callerOf(request(headers), true)).toBe(FUNCTION_KEY_CALLER);
  });

  it("strips control characters and bounds the length", () => {
    const name = `ana\u0007\u007f${"x".repeat(500)}`;
    const who = callerOf(request({ "x-ms-client-principal-name": name, "x-ms-client-principal": principal }), true);
    expect(who.startsWith("anax")).toBe(true);
    expect(who).toHaveLength(256);
  });
});
