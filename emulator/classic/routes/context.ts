import type { StorageSharedKeyCredential } from "@azure/storage-blob";
import type { EmulatorConfig } from "../config";
import type { Faults } from "../faults";
import type { JobRunner } from "../jobs";
import type { Workspace } from "../workspace";

/** What every route handler may use; built once at start. */
export interface ServiceContext {
  readonly config: EmulatorConfig;
  readonly workspace: Workspace;
  readonly jobs: JobRunner;
  readonly faults: Faults;
  readonly storage: { readonly credential: StorageSharedKeyCredential; readonly blobEndpoint: string; readonly connectionString: string };
  readonly servicesUrl: () => string;
  readonly managementUrl: () => string;
  readonly now: () => number;
}
