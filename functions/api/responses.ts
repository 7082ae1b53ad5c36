import type { Header, JsonSchema, Response, SecurityRequirement } from "./types";

export const JSON_TYPE = "application/json";
export const HTML_TYPE = "text/html";

export const json = (description: string, schema: JsonSchema, headers?: Record<string, Header>): Response => ({
  description, ...(headers ? { headers } : {}), content: { [JSON_TYPE]: { schema } },
});

/** An error answer: `{"error": "…"}`, the sentence saying what is wrong. */
export const error = (description: string): Response => json(description, { $ref: "#/components/schemas/Error" });

export const html = (description: string, headers?: Record<string, Header>): Response => ({
  description, ...(headers ? { headers } : {}), content: { [HTML_TYPE]: { schema: { type: "string" } } },
});

export const redirect = (description: string, extra: Record<string, Header> = {}): Response => ({
  description, headers: { Location: { description: "Where to go next (a path of the console, or the platform's sign-in).", schema: { type: "string", format: "uri-reference" } }, ...extra },
});

/** Answers of the Functions host itself, before or around the function. */
export const NO_KEY = error("No function key, or a wrong one: the Functions host refuses before the function runs (in Azure with an empty body).");
export const FAILED = error("The function failed; the host answers without the error's text (see the app's log).");
export const TOO_LARGE = (bytes: number) => error(`The body is larger than ${bytes} bytes; it is not read further and nothing is done.`);

/** A function key, in the header or as `?code=` (authLevel "function"). */
export const KEYED: readonly SecurityRequirement[] = [{ functionKey: [] }, { functionKeyQuery: [] }];
/** As KEYED; in Azure with App Service authentication a signed-in caller's token also names who acted (recorded in the run). */
export const KEYED_NAMED: readonly SecurityRequirement[] = [...KEYED, { functionKey: [], appServiceBearer: [] }];
/** The console's routes: anonymous to the host (a browser cannot send a function key), authenticated by the app itself. */
export const SIGNED_IN: readonly SecurityRequirement[] = [{ consoleSession: [] }, { appServiceAuthentication: [] }];
/** Nothing to protect: see each operation's description for why. */
export const ANYONE: readonly SecurityRequirement[] = [];
