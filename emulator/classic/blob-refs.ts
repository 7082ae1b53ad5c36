import {
  BlobServiceClient,
  BlockBlobClient,
  BlobSASPermissions,
  StorageSharedKeyCredential,
  generateBlobSASQueryParameters,
} from "@azure/storage-blob";
import { badArgument } from "../http/errors";

/** BES's AzureBlobDataReference: ConnectionString form, or BaseLocation + SasBlobToken form. */
export interface AzureBlobDataReference {
  readonly ConnectionString?: string;
  readonly BaseLocation?: string;
  readonly RelativeLocation?: string;
  readonly SasBlobToken?: string;
}

export interface BlobResult {
  readonly BaseLocation: string;
  readonly RelativeLocation: string;
  readonly SasBlobToken: string;
}

/** Checks the shape of a reference and returns it typed; `what` names it in the error. */
export function checkReference(value: unknown, what: string, extension?: string): AzureBlobDataReference {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw badArgument("InvalidBlob", `${what} must be an AzureBlobDataReference object.`);
  }
  const ref = value as Record<string, unknown>;
  for (const k of ["ConnectionString", "BaseLocation", "RelativeLocation", "SasBlobToken"]) {
    if (ref[k] !== undefined && ref[k] !== null && typeof ref[k] !== "string") throw badArgument("InvalidBlob", `${what}.${k} must be a string.`);
  }
  const relative = ref.RelativeLocation as string | undefined;
  if (!relative || !/^[^/]+\/.+/.test(relative)) {
    throw badArgument("InvalidBlob", `${what}.RelativeLocation must be "container/blob", got ${JSON.stringify(relative ?? null)}.`);
  }
  if (extension && !relative.toLowerCase().endsWith(extension)) {
    throw badArgument("InvalidBlobExtension", `${what}.RelativeLocation must end in "${extension}", got "${relative}".`);
  }
  if (ref.ConnectionString) {
    try {
      BlobServiceClient.fromConnectionString(ref.ConnectionString as string);
    } catch {
      throw badArgument("InvalidBlobConnectionString", `${what}.ConnectionString is not a valid storage connection string.`);
    }
  } else {
    if (!ref.BaseLocation || !ref.SasBlobToken) {
      throw badArgument("InvalidBlob", `${what} needs either ConnectionString, or BaseLocation and SasBlobToken.`);
    }
    if (!URL.canParse(ref.BaseLocation as string)) throw badArgument("InvalidBlob", `${what}.BaseLocation is not a URL.`);
  }
  return ref;
}

function split(relative: string): [string, string] {
  const i = relative.indexOf("/");
  return [relative.slice(0, i), relative.slice(i + 1)];
}

const withSlash = (u: string) => (u.endsWith("/") ? u : `${u}/`);

export interface OpenedReference {
  readonly client: BlockBlobClient;
  /** The account's blob endpoint with a trailing slash, as `Results[..].BaseLocation` carries it. */
  readonly baseLocation: string;
}

export function openReference(ref: AzureBlobDataReference): OpenedReference {
  const [container, blob] = split(ref.RelativeLocation!);
  if (ref.ConnectionString) {
    const service = BlobServiceClient.fromConnectionString(ref.ConnectionString);
    return { client: service.getContainerClient(container).getBlockBlobClient(blob), baseLocation: withSlash(service.url.split("?")[0]!) };
  }
  const base = withSlash(ref.BaseLocation!);
  const token = ref.SasBlobToken!.startsWith("?") ? ref.SasBlobToken! : `?${ref.SasBlobToken!}`;
  const path = `${encodeURIComponent(container)}/${blob.split("/").map(encodeURIComponent).join("/")}`;
  return { client: new BlockBlobClient(`${base}${path}${token}`), baseLocation: base };
}

/**
 * A fresh read-only, blob-scoped SAS for a job result. The service can only mint one where it
 * holds the account key: the caller's connection string, or its own workspace storage. For an
 * output given only as a SAS on a foreign account it hands back the caller's token (unconfirmed
 * behaviour of the real service; it cannot have done better without the key).
 */
export function resultLocation(
  ref: AzureBlobDataReference,
  own: { readonly credential: StorageSharedKeyCredential; readonly blobEndpoint: string },
  expiresOn: Date,
): BlobResult {
  const { client, baseLocation } = openReference(ref);
  let credential: StorageSharedKeyCredential | undefined;
  if (client.credential instanceof StorageSharedKeyCredential) credential = client.credential;
  // The same account may be reached through another URL (a proxy, a custom domain): match the account.
  else if (baseLocation === withSlash(own.blobEndpoint) || accountOf(baseLocation) === own.credential.accountName) credential = own.credential;
  const token = credential
    ? `?${generateBlobSASQueryParameters(
        { containerName: client.containerName, blobName: client.name, permissions: BlobSASPermissions.parse("r"), expiresOn },
        credential,
      ).toString()}`
    : ref.SasBlobToken!;
  return { BaseLocation: baseLocation, RelativeLocation: ref.RelativeLocation!, SasBlobToken: token };
}

/** The storage account a blob endpoint URL names: the first path segment on IP/loopback hosts (Azurite), else the host's first label. */
function accountOf(url: string): string | undefined {
  const u = new URL(url);
  const ipStyle = /^(\d+\.){3}\d+$|^localhost$|^\[/.test(u.hostname);
  return ipStyle ? u.pathname.split("/").filter(Boolean)[0] : u.hostname.split(".")[0];
}
