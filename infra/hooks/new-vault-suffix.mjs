// azd `postdown` hook: after `azd down` the environment's Key Vault is soft-deleted and keeps its
// name for 7 days (infra/app/keyvault.bicep), so the next `azd up` could not create it again.
// A new random AZURE_KEY_VAULT_SUFFIX gives the next vault a name of its own (infra/main.bicep);
// the deleted one is purged by Azure when its retention ends, or at once by `azd down --purge`.
// Plain Node, no build: it runs wherever azd does, in sh or PowerShell alike.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import console from "node:console";
import process from "node:process";

const suffix = randomBytes(3).toString("hex");
// azd hands a hook its environment's values, AZURE_ENV_NAME among them: set it in that one (`azd down -e X`).
const environment = process.env.AZURE_ENV_NAME ? ["-e", process.env.AZURE_ENV_NAME] : [];
const r = spawnSync("azd", ["env", "set", "AZURE_KEY_VAULT_SUFFIX", suffix, ...environment], { stdio: "inherit", shell: process.platform === "win32" });
if (r.status !== 0) {
  console.error(`Could not set AZURE_KEY_VAULT_SUFFIX (azd env set exited ${r.status ?? r.error?.message}); before the next azd up, run: azd env set AZURE_KEY_VAULT_SUFFIX ${suffix}`);
  process.exit(1);
}
console.log(`The next azd up creates Key Vault kv-<token>${suffix}: the deleted one keeps its name while soft-deleted.`);
