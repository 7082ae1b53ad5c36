import type { TokenCredential } from "@azure/identity";
import { azureMlNetworkError, classifyAzureMlResponse, invalidResponse } from "./azureml-error";
import { fetchTransport, type HttpResponse, type HttpTransport } from "../../http/transport";
import type { WorkspaceAddress } from "./workspace";

/** ARM's token audience; the MLflow API takes the same token [contract §1]. */
export const ARM_SCOPE = "https://management.azure.com/.default";
export const API_VERSION = "2025-12-01";

/** Tokens are taken again this long before they expire, so none dies in flight. */
const TOKEN_REFRESH_MARGIN_IN_MS = 5 * 60_000;

export interface AzureMlCallOptions {
  readonly transport: HttpTransport;
  readonly credential: TokenCredential;
  readonly timeoutInMs?: number;
  readonly now?: () => number;
}

/**
 * Bearer tokens for one audience, fetched once and reused until near expiry: a promotion makes
 * dozens of calls, and DefaultAzureCredential's sources do not all cache. Never logged.
 */
export class TokenCache {
  private token: { value: string; expiresAtMs: number } | undefined;
  constructor(private readonly credential: TokenCredential, private readonly scope: string, private readonly now: () => number = Date.now) {}

  async get(): Promise<string> {
    if (this.token && this.token.expiresAtMs - TOKEN_REFRESH_MARGIN_IN_MS > this.now()) return this.token.value;
    const t = await this.credential.getToken(this.scope);
    if (!t) throw invalidResponse("sign-in", `no token for ${this.scope}`);
    this.token = { value: t.token, expiresAtMs: t.expiresOnTimestamp };
    return t.token;
  }
}

export interface JsonCall {
  readonly operation: string;
  readonly method: "GET" | "PUT" | "POST" | "DELETE" | "PATCH";
  readonly url: string;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** One authorised JSON call; any non-2xx or network failure becomes an AzureMlError. */
export async function callAzureMl(o: AzureMlCallOptions, bearer: () => Promise<string>, c: JsonCall): Promise<HttpResponse> {
  const headers: Record<string, string> = { Authorization: `Bearer ${await bearer()}`, Accept: "application/json", ...c.headers };
  if (c.body !== undefined) headers["Content-Type"] = "application/json";
  let res: HttpResponse;
  try {
    res = await o.transport({ method: c.method, url: c.url, headers, body: c.body === undefined ? undefined : JSON.stringify(c.body), timeoutInMs: o.timeoutInMs });
  } catch (e) {
    throw azureMlNetworkError(c.operation, e);
  }
  if (res.status < 200 || res.status > 299) throw classifyAzureMlResponse(c.operation, res, (o.now ?? Date.now)());
  return res;
}

export function jsonOf<T>(operation: string, res: HttpResponse): T {
  try {
    return JSON.parse(res.bodyText) as T;
  } catch {
    throw invalidResponse(operation, "a body that is not JSON", res.status);
  }
}

/** `url` with `api-version` set (ARM refuses a call without it). */
export function withApiVersion(url: string): string {
  return `${url}${url.includes("?") ? "&" : "?"}api-version=${API_VERSION}`;
}

/** What every v2 client is built from. */
export interface AzureMlClientOptions {
  readonly workspace: WorkspaceAddress;
  /** DefaultAzureCredential in Azure (the app's managed identity). */
  readonly credential: TokenCredential;
  readonly transport?: HttpTransport;
  readonly timeoutInMs?: number;
  readonly now?: () => number;
}

export type AzureMlCall = (c: JsonCall) => Promise<HttpResponse>;

/** Authorised calls for one client: its transport, and one token cache for the ARM audience. */
export function azureMlCaller(options: AzureMlClientOptions): AzureMlCall {
  const o: AzureMlCallOptions = { transport: options.transport ?? fetchTransport, credential: options.credential, ...(options.timeoutInMs ? { timeoutInMs: options.timeoutInMs } : {}), ...(options.now ? { now: options.now } : {}) };
  const tokens = new TokenCache(options.credential, ARM_SCOPE, options.now);
  return (c) => callAzureMl(o, () => tokens.get(), c);
}

