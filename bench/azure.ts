// Everything in the benchmark that needs @azure/storage-blob. bench/stage.ts loads this module
// lazily, so the baseline child (plain fetch) never pays for the SDK in its peak RSS.
import { BlobServiceClient, StorageSharedKeyCredential } from "@azure/storage-blob";
import type { DataSource } from "../shared/storage/data-source";
import { SharedKeySasSigner } from "../shared/storage/sas";
import { DEFAULT_STAGING_OPTIONS, StagingClient, type StagedData } from "../shared/storage/staging";

function connect(connectionString: string, container: string) {
  const service = BlobServiceClient.fromConnectionString(connectionString);
  if (!(service.credential instanceof StorageSharedKeyCredential)) throw new Error("The connection string must include AccountKey.");
  return { service, container: service.getContainerClient(container), signer: new SharedKeySasSigner(service.credential) };
}

/** The code under test, with its default options (the URL source is a file server on loopback, and large). */
export function stage(connectionString: string, container: string, runId: string, source: DataSource): Promise<StagedData> {
  const c = connect(connectionString, container);
  return new StagingClient(c.service, c.container, { ...DEFAULT_STAGING_OPTIONS, allowLoopback: true, maxBytes: Number.MAX_SAFE_INTEGER }).stage(runId, source);
}

/** Creates the container and returns a create/write SAS URL for one blob (for the baseline's Put Blob). */
export async function putUrl(connectionString: string, container: string, blob: string): Promise<string> {
  const c = connect(connectionString, container);
  await c.container.createIfNotExists();
  const token = await c.signer.sign(container, blob, "cw", new Date(Date.now() + 3600_000));
  return `${c.container.getBlockBlobClient(blob).url}${token}`;
}

export async function blobSize(connectionString: string, container: string, blob: string): Promise<number> {
  const props = await connect(connectionString, container).container.getBlockBlobClient(blob).getProperties();
  return props.contentLength ?? -1;
}
