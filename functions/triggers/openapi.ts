import { createHash } from "node:crypto";
import { app, type HttpRequest, type HttpResponseInit } from "@azure/functions";
import { OPENAPI_DOCUMENT, OPENAPI_ROUTE } from "../api/openapi";

/** The document changes only with a deployment: serialised once, named by its hash. */
const TEXT = JSON.stringify(OPENAPI_DOCUMENT);
const ETAG = `"${createHash("sha256").update(TEXT).digest("base64url").slice(0, 22)}"`;
/** Viewers may keep it a few minutes; after a deployment they revalidate against the new ETag. */
const HEADERS = { "Cache-Control": "public, max-age=300", ETag: ETAG, "X-Content-Type-Options": "nosniff" };

/**
 * `GET /api/openapi.json`: the API's OpenAPI 3.1 description (functions/api/openapi.ts). Anonymous,
 * as Microsoft's Azure Functions OpenAPI extension serves its document by default: it names
 * routes and shapes, never a key, a setting or any data.
 */
app.http("openApiDocument", {
  route: OPENAPI_ROUTE,
  methods: ["GET"],
  authLevel: "anonymous",
  handler: (request: HttpRequest): Promise<HttpResponseInit> => {
    if (request.headers.get("if-none-match") === ETAG) return Promise.resolve({ status: 304, headers: HEADERS });
    return Promise.resolve({ status: 200, headers: { ...HEADERS, "Content-Type": "application/json; charset=utf-8" }, body: TEXT });
  },
});
