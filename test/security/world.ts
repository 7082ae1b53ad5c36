import { expect } from "vitest";
import { BlobServiceClient } from "@azure/storage-blob";
import { TableClient } from "@azure/data-tables";
import { FUNCTION_KEY, type HostedPipeline } from "../support/host";

/**
 * What an attacker must not change or learn, for the security suite: a snapshot of everything a
 * request could have started or altered, and every secret the running stack holds.
 */
export interface World {
  readonly instances: readonly string[];
  readonly jobs: number;
  /** Every endpoint of the predictive service with the model it serves. */
  readonly endpoints: readonly string[];
  readonly faults: unknown;
  readonly runRecords: number;
}

/** (The service's call counts are no measure: they count refused attempts too.) */
export async function world(p: HostedPipeline): Promise<World> {
  const e = p.emulator;
  const listed = (await e.call("GET", e.endpointsUrl, e.config.managementToken)).body as { Name: string }[];
  const endpoints = await Promise.all(listed.map(async ({ Name }) => {
    const one = (await e.call("GET", `${e.endpointsUrl}/${Name}`, e.config.managementToken)).body as { Resources?: { Location?: { RelativeLocation?: string } }[] };
    return `${Name} ${one.Resources?.[0]?.Location?.RelativeLocation ?? "-"}`;
  }));
  const runRecords = (await historyEntities(p)).length;
  return {
    instances: (await p.engine.list()).map((i) => `${i.instanceId} ${i.status}`).sort(),
    jobs: ((await e.admin("GET", "jobs")).body as unknown[]).length,
    endpoints: endpoints.sort(),
    faults: (await e.admin("GET", "faults")).body,
    runRecords,
  };
}

/** The run history's entities; none before the first run has created the table. */
async function historyEntities(p: HostedPipeline): Promise<object[]> {
  const out: object[] = [];
  try {
    const table = TableClient.fromConnectionString(p.values.STAGING_STORAGE_CONNECTION_STRING!, p.values.HISTORY_TABLE!, { allowInsecureConnection: true });
    for await (const e of table.listEntities()) out.push(e);
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode !== 404) throw e;
  }
  return out;
}

/** Every secret the stack holds, by name: none may appear in an answer, a log line or the app's stored state. */
export function secrets(p: HostedPipeline): Record<string, string> {
  const accountKey = /AccountKey=([^;]+)/.exec(p.values.STAGING_STORAGE_CONNECTION_STRING!)?.[1];
  return {
    "function key": FUNCTION_KEY,
    "system key": p.systemKey,
    "training API key": p.values.AML_TRAINING_API_KEY!,
    "management token": p.values.AML_MANAGEMENT_API_KEY!,
    ...(accountKey ? { "storage account key": accountKey } : {}),
    ...Object.fromEntries(p.emulator.endpoints().map((e) => [`endpoint ${e.name}'s key`, e.primaryKey])),
  };
}

/** Names the secrets (and secret-shaped text: `AccountKey=`, a SAS `sig=`) found in `text`. */
export function secretsIn(text: string, known: Record<string, string>): string[] {
  const found = Object.entries(known).filter(([, v]) => v.length >= 8 && text.includes(v)).map(([k]) => k);
  if (/AccountKey=(?!\[REDACTED\])[^;"\s]/i.test(text)) found.push("AccountKey=");
  if (/[?&]sig=(?!\[REDACTED\])[^&"\s]/i.test(text)) found.push("sig=");
  return found;
}

export function expectNoSecrets(text: string, known: Record<string, string>, where: string): void {
  expect(secretsIn(text, known), `secrets in ${where}`).toEqual([]);
}

/**
 * The app's stored state, as text: every instance's input, output, status and history (the task
 * hub), every run record, and every blob's metadata in the app's own containers.
 */
export async function storedState(p: HostedPipeline): Promise<string> {
  const parts: string[] = [];
  for (const i of await p.engine.list()) {
    const full = await p.engine.instance(i.instanceId);
    parts.push(JSON.stringify(full));
  }
  for (const e of await historyEntities(p)) parts.push(JSON.stringify(e));
  const blobs = BlobServiceClient.fromConnectionString(p.values.STAGING_STORAGE_CONNECTION_STRING!);
  for (const name of [p.values.STAGING_CONTAINER!, p.values.ARCHIVE_CONTAINER!]) {
    const container = blobs.getContainerClient(name);
    if (!(await container.exists())) continue;
    for await (const b of container.listBlobsFlat({ includeMetadata: true })) parts.push(`${b.name} ${JSON.stringify(b.metadata ?? {})}`);
  }
  return parts.join("\n");
}

/** Waits until `read()` gives `want` (expect.poll cannot run in beforeAll). */
export async function waitFor<T>(read: () => Promise<T>, want: T, timeoutInMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutInMs;
  for (let last = await read(); last !== want; last = await read()) {
    if (Date.now() > deadline) throw new Error(`still ${String(last)} after ${timeoutInMs} ms, waiting for ${String(want)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
