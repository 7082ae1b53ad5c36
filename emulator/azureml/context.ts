import type { AzureMlServiceConfig } from "./config";
import type { AzureMlFaults } from "./faults";
import type { AzureMlJobRunner } from "./jobs";
import type { AzureMlState } from "./state";

export interface AzureMlContext {
  readonly config: AzureMlServiceConfig;
  readonly state: AzureMlState;
  readonly jobs: AzureMlJobRunner;
  readonly faults: AzureMlFaults;
  readonly now: () => number;
  /** The service's own base URL (http://127.0.0.1:port), known once it listens. */
  readonly baseUrl: () => string;
  /** Runs `fn` after `ms`; stopped with the service. */
  readonly after: (ms: number, fn: () => void) => void;
  readonly log: (line: string) => void;
}
