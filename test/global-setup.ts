import type { TestProject } from "vitest/node" with { "resolution-mode": "import" };
import { startAzurite, type RunningAzurite } from "../emulator/azurite";
import { trustTestCertificate } from "./support/test-tls";

declare module "vitest" {
  export interface ProvidedContext {
    azuriteConnectionString: string;
  }
}

let azurite: RunningAzurite | undefined;

/**
 * One in-memory Azurite on free loopback ports for the whole run; each test file uses its own
 * containers. And a loopback TLS certificate the test processes trust (./support/test-tls).
 */
export async function setup(project: TestProject): Promise<void> {
  await trustTestCertificate();
  azurite = await startAzurite();
  project.provide("azuriteConnectionString", azurite.connectionString);
}

export async function teardown(): Promise<void> {
  await azurite?.stop();
}
