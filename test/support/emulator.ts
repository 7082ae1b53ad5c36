import { randomUUID } from "node:crypto";
import { inject } from "vitest";
import { BlobServiceClient, BlobSASPermissions, type ContainerClient } from "@azure/storage-blob";
import { DEFAULT_CONFIG, type EmulatorConfig } from "../../emulator/classic/config";
import { startEmulator, type RunningEmulator } from "../../emulator/classic/emulator";

export interface TestEmulator extends RunningEmulator {
  readonly logs: string[];
  readonly blobs: BlobServiceClient;
  /** BES base: `{services}/workspaces/{ws}/services/{training}`. */
  readonly besBase: string;
  /** Management base for the predictive service's endpoints. */
  readonly endpointsUrl: string;
  /** A fresh container for one test's blobs. */
  container(): Promise<ContainerClient>;
  /** Calls the service with a bearer key; JSON in, parsed JSON (or undefined) out. */
  call(method: string, url: string, key: string | undefined, body?: unknown): Promise<{ status: number; body: unknown; headers: Headers }>;
  admin(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }>;
}

/** A real emulator on free loopback ports, over the suite's Azurite, in a workspace of its own. */
export async function startTestEmulator(overrides: Partial<EmulatorConfig> = {}): Promise<TestEmulator> {
  const connectionString = inject("azuriteConnectionString");
  const config: EmulatorConfig = {
    ...DEFAULT_CONFIG,
    servicesPort: 0,
    managementPort: 0,
    storageConnectionString: connectionString,
    workspaceId: randomUUID().replace(/-/g, ""),
    propagationDelayInMs: 0,
    ...overrides,
  };
  const logs: string[] = [];
  const emulator = await startEmulator(config, { log: (l) => logs.push(l) });
  const blobs = BlobServiceClient.fromConnectionString(connectionString);
  const call: TestEmulator["call"] = async (method, url, key, body) => {
    const headers: Record<string, string> = {};
    if (key !== undefined) headers.Authorization = `Bearer ${key}`;
    let payload: string | undefined;
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      payload = typeof body === "string" ? body : JSON.stringify(body);
    }
    const res = await fetch(url, { method, headers, body: payload });
    const text = await res.text();
    return { status: res.status, body: text === "" ? undefined : (JSON.parse(text) as unknown), headers: res.headers };
  };
  return {
    ...emulator,
    logs,
    blobs,
    besBase: `${emulator.servicesUrl}/workspaces/${config.workspaceId}/services/${config.trainingServiceId}`,
    endpointsUrl: `${emulator.managementUrl}/workspaces/${config.workspaceId}/webservices/${config.predictiveServiceId}/endpoints`,
    async container() {
      const c = blobs.getContainerClient(`t-${randomUUID()}`);
      await c.create();
      return c;
    },
    call,
    async admin(method, path, body) {
      return call(method, `${emulator.managementUrl}/_admin/${path}`, config.managementToken, body);
    },
  };
}

/** A blob-scoped SAS token (leading "?") on the suite's Azurite. */
export async function sasFor(container: ContainerClient, blob: string, permissions: string, lifetimeInSeconds = 3600): Promise<string> {
  const url = await container.getBlobClient(blob).generateSasUrl({
    permissions: BlobSASPermissions.parse(permissions),
    expiresOn: new Date(Date.now() + lifetimeInSeconds * 1000),
  });
  return new URL(url).search;
}

export async function upload(container: ContainerClient, blob: string, text: string): Promise<void> {
  await container.getBlockBlobClient(blob).upload(text, Buffer.byteLength(text));
}

/** Polls a job with the real status call until it leaves NotStarted/Running (bounded). */
export async function waitForJob(e: TestEmulator, jobId: string, timeoutInMs = 60_000): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutInMs;
  for (;;) {
    const r = await e.call("GET", `${e.besBase}/jobs/${jobId}?api-version=2.0`, e.config.trainingApiKey);
    const body = r.body as Record<string, unknown>;
    if (body.StatusCode !== "NotStarted" && body.StatusCode !== "Running") return body;
    if (Date.now() > deadline) throw new Error(`job ${jobId} still ${String(body.StatusCode)} after ${timeoutInMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
