import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { once } from "node:events";
import { randomUUID } from "node:crypto";
import { BlobServiceClient, StorageSharedKeyCredential } from "@azure/storage-blob";
import { AZURITE_ACCOUNT, AZURITE_KEY } from "../azurite";
import type { EventGridEvent } from "./event-grid";

/** The local storage account's resource id: the `topic` of its events. */
export const LOCAL_STORAGE_TOPIC = `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/local/providers/Microsoft.Storage/storageAccounts/${AZURITE_ACCOUNT}`;

export interface BlobEvents {
  /** Azurite's blob endpoint through this proxy (`http://127.0.0.1:port/devstoreaccount1`). */
  readonly blobEndpoint: string;
  /** A connection string like Azurite's, with the blob endpoint through this proxy. */
  connectionString(azuriteConnectionString: string): string;
  close(): Promise<void>;
}

/** The Blob REST calls that create or replace a block blob, named as BlobCreated's `data.api` names them. */
export type CreatingApi = "PutBlob" | "PutBlockList" | "CopyBlob" | "CopyBlobFromURL" | "PutBlobFromURL";

/**
 * The Blob REST call a successful request was, when it created or replaced a block blob. A PUT
 * with `x-ms-copy-source` brings its bytes from a URL: Copy Blob (asynchronous), Copy Blob From
 * URL (`x-ms-requires-sync: true`) or Put Blob From URL (with `x-ms-blob-type: BlockBlob`); the
 * event says which, as Azure's `data.api` does, and never calls one of them Put Blob.
 */
export function createdBy(method: string | undefined, url: URL, headers: IncomingMessage["headers"]): CreatingApi | undefined {
  if (method !== "PUT") return undefined;
  const comp = url.searchParams.get("comp");
  if (comp === "blocklist") return "PutBlockList";
  if (comp !== null) return undefined;
  const type = headers["x-ms-blob-type"];
  if (headers["x-ms-copy-source"]) {
    if (type === "BlockBlob") return "PutBlobFromURL";
    if (type) return undefined;
    return String(headers["x-ms-requires-sync"] ?? "").toLowerCase() === "true" ? "CopyBlobFromURL" : "CopyBlob";
  }
  return type === "BlockBlob" ? "PutBlob" : undefined;
}

/**
 * Azurite with the storage account's Event Grid system topic: a proxy in front of its blob
 * service that passes every request through unchanged (bodies streamed), and after each one that
 * created a block blob — Put Blob, Put Block List, Copy Blob (and from URL) — publishes the
 * `Microsoft.Storage.BlobCreated` event Azure Storage would, with the blob's properties read back.
 * Writes through Azurite's own port make no events, as writes to another account would not.
 */
export async function startBlobEvents(o: { azuriteBlobEndpoint: string; publish: (e: EventGridEvent) => void; port?: number; log?: (l: string) => void }): Promise<BlobEvents> {
  const target = new URL(o.azuriteBlobEndpoint);
  const reader = new BlobServiceClient(o.azuriteBlobEndpoint, new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY));
  let sequence = 0n;
  let self = "";

  async function publishCreated(api: string, eventTime: string, container: string, blob: string, clientRequestId: string | undefined, requestId: string | undefined): Promise<void> {
    const props = await reader.getContainerClient(container).getBlobClient(blob).getProperties();
    sequence += 1n;
    o.publish({
      id: randomUUID(),
      topic: LOCAL_STORAGE_TOPIC,
      subject: `/blobServices/default/containers/${container}/blobs/${blob}`,
      eventType: "Microsoft.Storage.BlobCreated",
      eventTime,
      data: {
        api, clientRequestId: clientRequestId ?? randomUUID(), requestId: requestId ?? randomUUID(),
        eTag: props.etag?.replace(/"/g, ""), contentType: props.contentType ?? "application/octet-stream", contentLength: props.contentLength ?? 0,
        blobType: "BlockBlob", url: `${self}/${container}/${blob.split("/").map(encodeURIComponent).join("/")}`,
        sequencer: sequence.toString(16).padStart(32, "0"), storageDiagnostics: { batchId: randomUUID() },
      },
      dataVersion: "", metadataVersion: "1",
    });
  }

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const api = createdBy(req.method, url, req.headers);
    const upstream = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
      const status = up.statusCode ?? 0;
      if (!api || status < 200 || status >= 300) return;
      // When storage answered, not when the event is sent: events are ordered by the writes they tell of.
      const eventTime = new Date().toISOString();
      // /{account}/{container}/{blob...}; a name Azurite accepted but that does not decode makes no event (and no crash).
      const [, , rawContainer, ...rest] = url.pathname.split("/");
      let container: string;
      let blob: string;
      try {
        container = decodeURIComponent(rawContainer ?? "");
        blob = decodeURIComponent(rest.join("/"));
      } catch {
        return;
      }
      if (!container || blob === "") return;
      up.once("end", () => {
        publishCreated(api, eventTime, container, blob, req.headers["x-ms-client-request-id"] as string | undefined, up.headers["x-ms-request-id"] as string | undefined)
          .catch((e: Error) => o.log?.(`blob events: no event for ${container}/${blob}: ${e.message}`));
      });
    });
    upstream.on("error", () => {
      if (!res.headersSent) res.writeHead(502).end();
      else res.destroy();
    });
    req.on("aborted", () => upstream.destroy());
    req.pipe(upstream);
  });
  server.listen(o.port ?? 0, "127.0.0.1");
  await once(server, "listening");
  self = `http://127.0.0.1:${(server.address() as AddressInfo).port}${target.pathname.replace(/\/$/, "")}`;
  return {
    blobEndpoint: self,
    connectionString: (cs) => cs.replace(/BlobEndpoint=[^;]+/, `BlobEndpoint=${self}`),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
