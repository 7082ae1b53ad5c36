import { SESSION_COOKIE } from "../../shared/console/session";
import { UPLOAD_KEY_HEADER } from "../../shared/storage/upload-grant";
import { API_PATHS } from "./api-paths";
import { CONSOLE_PATHS } from "./console-paths";
import { ENDPOINT_SCHEMAS } from "./endpoint-schemas";
import { REQUEST_SCHEMAS } from "./requests";
import { ANYONE, FAILED, JSON_TYPE } from "./responses";
import { SCHEMAS } from "./schemas";
import type { OpenApiDocument, PathItem } from "./types";

/** Where the app serves this document (under the Functions route prefix, `/api`). */
export const OPENAPI_ROUTE = "openapi.json";

const SELF: Record<string, PathItem> = {
  [`/${OPENAPI_ROUTE}`]: {
    get: {
      operationId: "getOpenApi", tags: ["meta"], summary: "This description",
      description: "Anyone may read it, as Microsoft's Azure Functions OpenAPI extension serves its document by default: it names routes and shapes, never a key or a setting.",
      security: ANYONE,
      parameters: [{ name: "If-None-Match", in: "header", description: "The ETag of a copy held: 304 if it is still this one.", schema: { type: "string" } }],
      responses: {
        "200": {
          description: "The OpenAPI 3.1 document; may be kept 5 minutes, then revalidated by its ETag.",
          headers: { ETag: { description: "The document's hash.", schema: { type: "string" } } },
          content: { [JSON_TYPE]: { schema: { type: "object", required: ["openapi", "paths"], properties: { openapi: { const: "3.1.0" }, paths: { type: "object" } } } } },
        },
        "304": { description: "The copy held is this one." },
        "500": FAILED,
      },
    },
  },
};

/**
 * The HTTP API of the retrainer Functions app, for machines: every route the app registers
 * (test/unit/api/openapi.test.ts holds the two lists equal) with its parameters, bodies, answers
 * and auth. Paths are relative to the server `/api`, so the document is right on any host.
 */
export const OPENAPI_DOCUMENT: OpenApiDocument = {
  openapi: "3.1.0",
  jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
  info: {
    title: "retrainer",
    version: "1",
    description:
      "Retrains and promotes Azure ML models: start runs, follow them, decide on them, roll back, read the history; and the operator console. " +
      "Errors are JSON `{\"error\": \"…\"}` naming what is wrong (and that nothing was changed), with the ids they refer to.",
  },
  servers: [{ url: "/api", description: "The Functions app's route prefix, on the host that served this document." }],
  tags: [
    { name: "runs", description: "Retraining runs: start, follow, decide, cancel, history." },
    { name: "endpoints", description: "What an endpoint serves and what can be done to it." },
    { name: "console", description: "The operator console's HTML pages and forms (for browsers)." },
    { name: "meta", description: "About the API itself." },
  ],
  paths: { ...API_PATHS, ...CONSOLE_PATHS, ...SELF },
  components: {
    schemas: { ...SCHEMAS, ...ENDPOINT_SCHEMAS, ...REQUEST_SCHEMAS },
    securitySchemes: {
      functionKey: { type: "apiKey", in: "header", name: "x-functions-key", description: "A function key (authLevel \"function\"): the host key, or a key of this one function." },
      functionKeyQuery: { type: "apiKey", in: "query", name: "code", description: "The same key as `?code=`." },
      appServiceBearer: {
        type: "http", scheme: "bearer",
        description: "With App Service authentication (Microsoft Entra ID) on the app, a caller's token: it does not replace the function key, it names who started or decided a run.",
      },
      uploadKey: { type: "apiKey", in: "header", name: UPLOAD_KEY_HEADER, description: "An endpoint's upload key (the settings hold its sha256): opens that endpoint's uploads only." },
      consoleSession: { type: "apiKey", in: "cookie", name: SESSION_COOKIE, description: "The console's session, set by POST /console/login for whoever typed RETRAIN_CONSOLE_KEY (every role)." },
      appServiceAuthentication: {
        type: "apiKey", in: "cookie", name: "AppServiceAuthSession",
        description: "App Service authentication (Easy Auth) with Microsoft Entra ID: the platform's session after `/.auth/login/aad`; the app roles Viewer, Operator and Approver decide what a person may do.",
      },
    },
  },
};
