import type { TokenCredential } from "@azure/identity";
import type { WorkspaceAddress } from "../../../../../shared/backends/azureml/workspace";

export const ARM = "https://management.azure.com";
export const WS_ID = "/subscriptions/sub-1/resourceGroups/rg-1/providers/Microsoft.MachineLearningServices/workspaces/ws-1";
export const WS: WorkspaceAddress = { armUrl: ARM, workspaceId: WS_ID };
export const WS_URL = `${ARM}${WS_ID}`;
export const TOKEN = "arm-token-DO-NOT-LEAK-42";
export const NOW = Date.parse("2030-01-01T00:00:00Z");

/** A credential that counts how often it is asked, with tokens valid for an hour from `now()`. */
export function countingCredential(now: () => number = () => NOW): TokenCredential & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    getToken: (scopes: string | string[]) => {
      calls.push(String(scopes));
      return Promise.resolve({ token: TOKEN, expiresOnTimestamp: now() + 60 * 60_000 });
    },
  };
}

/** `url` with the contract's api-version, as every ARM call must carry. */
export const v = (url: string) => `${url}${url.includes("?") ? "&" : "?"}api-version=2025-12-01`;
