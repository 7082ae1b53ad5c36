// azd `postdeploy` hook: subscribes the deployed app to its endpoints' data locations
// (infra/new-data.bicep), once its code runs. Event Grid validates a webhook when the subscription
// is created, and the eventgrid_extension key the webhook takes exists only once the host has
// loaded the Event Grid extension: neither is true while main.bicep provisions, before the deploy.
// Uses main.bicep's outputs, which azd hands a hook as environment values. Plain Node, no build.
import { spawnSync } from "node:child_process";
import console from "node:console";
import process from "node:process";

const { AZURE_RESOURCE_GROUP: group, AZURE_FUNCTION_APP_NAME: app, RETRAIN_NEW_DATA_TOPIC: topic, RETRAIN_DATA_LOCATIONS: locations = "[]" } = process.env;
let parsed;
try {
  parsed = JSON.parse(locations);
} catch {
  parsed = undefined;
}
if (!Array.isArray(parsed)) {
  console.error(`RETRAIN_DATA_LOCATIONS is not the JSON array main.bicep outputs; run azd provision first.`);
  process.exit(1);
}
if (parsed.length === 0) {
  console.log("No endpoint has a dataLocation (RETRAIN_ENDPOINT_SETTINGS): no new-data subscription to make.");
  process.exit(0);
}
if (!group || !app || !topic) {
  console.error("AZURE_RESOURCE_GROUP, AZURE_FUNCTION_APP_NAME and RETRAIN_NEW_DATA_TOPIC are main.bicep outputs azd should have set; run azd provision first.");
  process.exit(1);
}
const args = [
  "deployment", "group", "create", "--resource-group", group, "--name", "new-data", "--template-file", "infra/new-data.bicep",
  "--parameters", `functionAppName=${app}`, `systemTopicName=${topic}`, `dataLocations=${JSON.stringify(parsed)}`, "--only-show-errors", "--output", "none",
];
const r = spawnSync("az", args, { stdio: "inherit" });
if (r.status !== 0) {
  console.error(`Could not subscribe the app to new data (az exited ${r.status ?? r.error?.message}). Once the app runs, run: az ${args.slice(0, 9).join(" ")} --parameters functionAppName=${app} systemTopicName=${topic} dataLocations='${JSON.stringify(parsed)}'`);
  process.exit(1);
}
console.log(`New data in ${parsed.map((l) => `${l.container}/${l.folder ? `${l.folder}/` : ""} (${l.endpoint})`).join(", ")} now starts runs.`);
