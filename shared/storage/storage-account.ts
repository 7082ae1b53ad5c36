/**
 * The storage account the app's data locations are in, by name: the staging account (a data
 * location is `blob:container/folder` of it, and Bicep gives that account the Event Grid system
 * topic, infra/app/data-events.bicep). Events from any other topic are not the app's to act on.
 */

/** Azurite's account, which `UseDevelopmentStorage=true` stands for. */
const DEVELOPMENT_ACCOUNT = "devstoreaccount1";

/** Hosts where the account is the first path segment (Azurite, the storage emulator, IP-style URLs), as the storage SDK reads them. */
const pathStyle = (host: string) => host === "localhost" || host === "host.docker.internal" || /^\d+\.\d+\.\d+\.\d+$/.test(host) || host.startsWith("[");

/** The account a blob service URL names: `https://{account}.blob.core.windows.net/` or `http://127.0.0.1:10000/{account}`. */
export function accountOfBlobUrl(url: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  const name = pathStyle(u.hostname) ? u.pathname.split("/")[1] : u.hostname.split(".")[0];
  return name ? name.toLowerCase() : undefined;
}

/** The staging account's name, from its connection string or its URL; undefined when neither names one. */
export function stagingAccountName(s: { readonly STAGING_STORAGE_CONNECTION_STRING?: string | undefined; readonly STAGING_STORAGE_ACCOUNT_URL?: string | undefined }): string | undefined {
  if (s.STAGING_STORAGE_ACCOUNT_URL) return accountOfBlobUrl(s.STAGING_STORAGE_ACCOUNT_URL);
  const cs = s.STAGING_STORAGE_CONNECTION_STRING ?? "";
  if (/^\s*UseDevelopmentStorage=true\s*;?\s*$/i.test(cs)) return DEVELOPMENT_ACCOUNT;
  const part = (k: string) => new RegExp(`(?:^|;)\\s*${k}=([^;]+)`, "i").exec(cs)?.[1]?.trim();
  const named = part("AccountName");
  if (named) return named.toLowerCase();
  const blob = part("BlobEndpoint");
  return blob ? accountOfBlobUrl(blob) : undefined;
}

const STORAGE_TOPIC = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Storage\/storageAccounts\/([^/]+)$/i;

/**
 * Whether an event's `topic` is the watched account's resource id,
 * `/subscriptions/{id}/resourceGroups/{group}/providers/Microsoft.Storage/storageAccounts/{account}`,
 * compared without case (Azure resource ids are case-insensitive).
 */
export function topicIsAccount(topic: string, account: string): boolean {
  const m = STORAGE_TOPIC.exec(topic);
  return !!m && m[1]!.toLowerCase() === account.toLowerCase();
}
