import type { StagingClient } from "../../shared/storage/staging";
import type { RunHistoryClient } from "../../shared/history/run-history";
import type { SasSigner } from "../../shared/storage/sas";
import type { SourcePolicy } from "../../shared/storage/data-source";
import type { Telemetry } from "../../shared/telemetry/telemetry";
import type { HttpTransport } from "../../shared/http/transport";
import type { StartLock } from "../../shared/storage/start-lock";
import type { PendingData } from "../../shared/storage/pending-data";
import type { ClassicDependencies } from "./classic/dependencies";
import type { AzureMlDependencies } from "./azureml/dependencies";

/** What activities need, as interfaces, so tests hand in fakes instead of mocking modules. */
export interface ActivityDependencies extends ClassicDependencies {
  readonly staging: Pick<StagingClient, "stage" | "writeProbe" | "readProbe" | "readInput" | "copyWithin" | "metadataOf">;
  /** Present when an endpoint uses Azure Machine Learning (v2). */
  readonly azureml?: AzureMlDependencies;
  /** The audit trail (Table storage); its table exists once `init` has run. */
  readonly history: Pick<RunHistoryClient, "upsert" | "get" | "list" | "watchingSince" | "recordDelivery" | "deliveries">;
  readonly signer: SasSigner;
  /** Serialises starts of an instance id (see functions/app/instances.ts). */
  readonly startLock: StartLock;
  /** Each endpoint's new data not yet trained on (functions/triggers/new-data.ts). */
  readonly pending: PendingData;
  readonly telemetry: Telemetry;
  /** Storage the run blobs live in: blob endpoint (with trailing slash) and container. */
  readonly runStorage: { readonly blobEndpoint: string; readonly container: string };
  readonly options: {
    readonly dataRoot?: string;
    /** Where data sources may point (blob containers, loopback). */
    readonly sources: SourcePolicy;
    readonly trainedModelResource: string;
    /** Where models are archived before they are replaced (same account as the run blobs). */
    readonly archiveContainer: string;
    /** Lifetime of the SAS tokens handed to BES: it must outlast the job. */
    readonly jobSasLifetimeInMs: number;
    readonly sasRefreshMarginInMs: number;
  };
  /** For reading job results through their SAS URLs. */
  readonly resultTransport?: HttpTransport;
  readonly now: () => number;
}
