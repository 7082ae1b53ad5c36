import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Ajv2020 } from "ajv/dist/2020";
import addFormats from "ajv-formats";
import { installCoreStandIn, registrations, triggerOf } from "../../../local-host/registry";
import { startFront, type Front } from "../../../local-host/front";
import { OPENAPI_DOCUMENT as doc } from "../../../functions/api/openapi";
import type { Operation } from "../../../functions/api/types";

const KEY = "unit-function-key";
let front: Front;

beforeAll(async () => {
  // The stand-in before the app: @azure/functions looks for the worker's module once, at the first
  // registration (importing the document registers nothing).
  installCoreStandIn();
  await import("../../../functions/index.js");
  const refuse = () => Promise.resolve({ status: 500, body: { error: "no durable API in this test" } });
  front = await startFront({ functions: registrations(), functionKey: KEY, webhookKey: "w", eventGridKey: "e", log: () => undefined, bindingData: () => ({}), webhook: refuse });
});
afterAll(() => front?.close());

/** Every HTTP registration of the app as the host sees it: `METHOD /route` → auth level. */
function registered(): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of registrations().values()) {
    const t = triggerOf(r);
    if (t.type !== "httpTrigger") continue;
    for (const m of t.methods as string[]) out.set(`${m.toUpperCase()} /${String(t.route)}`, String(t.authLevel));
  }
  return out;
}

function described(): Map<string, Operation> {
  const out = new Map<string, Operation>();
  for (const [path, item] of Object.entries(doc.paths)) for (const m of ["get", "post"] as const) if (item[m]) out.set(`${m.toUpperCase()} ${path}`, item[m]);
  return out;
}

describe("the OpenAPI description (functions/api/openapi.ts)", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    // An ES module, loaded as one from this CommonJS-compiled test.
    const { Validator } = await import("@seriousme/openapi-schema-validator");
    const v = new Validator();
    const r = await v.validate(structuredClone(doc) as unknown as Record<string, unknown>);
    expect(r.errors, JSON.stringify(r.errors, null, 1)?.slice(0, 2_000)).toBeUndefined();
    expect([r.valid, v.version]).toEqual([true, "3.1"]);
  });

  it("describes every registered HTTP route (method and path), and nothing that is not registered", () => {
    const routes = registered();
    expect(routes.size).toBeGreaterThan(20);
    expect([...described().keys()].sort()).toEqual([...routes.keys()].sort());
  });

  it("gives each operation the auth the host applies: a function key where it asks for one, none where the route is anonymous", () => {
    const ops = described();
    for (const [route, level] of registered()) {
      const schemes = ops.get(route)!.security.flatMap((s) => Object.keys(s));
      if (level === "function") expect(schemes, route).toContain("functionKey");
      else expect(schemes.filter((s) => s.startsWith("functionKey")), `${route} is anonymous to the host`).toEqual([]);
    }
    // Anonymous routes: the console's own sign-in (session or App Service authentication), or marked open with a reason.
    for (const [route, op] of ops) if (op.security.length === 0) expect(op.description, `${route} says why anyone may call it`).toMatch(/anyone/i);
    const schemes = new Set(Object.keys(doc.components.securitySchemes));
    for (const [route, op] of ops) for (const s of op.security.flatMap((x) => Object.keys(x))) expect(schemes.has(s), `${route}: ${s}`).toBe(true);
  });

  it("has schemas that compile under JSON Schema 2020-12 in strict mode, every $ref resolving", () => {
    const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, keywords: ["openapi", "jsonSchemaDialect", "info", "servers", "tags", "paths", "components"] });
    addFormats(ajv);
    ajv.addSchema({ $id: "urn:retrainer:doc", ...doc });
    for (const name of Object.keys(doc.components.schemas)) expect(() => ajv.compile({ $ref: `urn:retrainer:doc#/components/schemas/${name}` }), name).not.toThrow();
    const esc = (p: string) => p.replace(/~/g, "~0").replace(/\//g, "~1");
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const m of ["get", "post"] as const) {
        const op = item[m];
        if (!op) continue;
        const at = `urn:retrainer:doc#/paths/${esc(path)}/${m}`;
        for (const [type] of Object.entries(op.requestBody?.content ?? {})) expect(() => ajv.compile({ $ref: `${at}/requestBody/content/${esc(type)}/schema` }), `${m} ${path} body`).not.toThrow();
        for (const [status, r] of Object.entries(op.responses)) {
          for (const type of Object.keys(r.content ?? {})) expect(() => ajv.compile({ $ref: `${at}/responses/${status}/content/${esc(type)}/schema` }), `${m} ${path} ${status}`).not.toThrow();
        }
      }
    }
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    for (const r of refs) expect(Object.keys(doc.components.schemas), r).toContain(r.split("/").pop()!.replace(/"$/, ""));
  });
});

describe("GET /api/openapi.json", () => {
  it("serves the module's document to anyone, without a key, while the API's routes still want one", async () => {
    const r = await fetch(`${front.url}/api/openapi.json`);
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toMatch(/^application\/json/);
    expect(r.headers.get("cache-control")).toBe("public, max-age=300");
    expect(await r.json()).toEqual(JSON.parse(JSON.stringify(doc)));
    expect((await fetch(`${front.url}/api/runs`)).status).toBe(401);
  });

  it("answers 304 to a viewer holding the same copy", async () => {
    const etag = (await fetch(`${front.url}/api/openapi.json`)).headers.get("etag")!;
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await fetch(`${front.url}/api/openapi.json`, { headers: { "if-none-match": etag } });
    expect([again.status, await again.text()]).toEqual([304, ""]);
    expect((await fetch(`${front.url}/api/openapi.json`, { headers: { "if-none-match": '"other"' } })).status).toBe(200);
  });
});
