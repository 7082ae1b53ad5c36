import * as df from "durable-functions";
import { createActivities } from "./activities";
import type { InvocationContext } from "@azure/functions";
import { ACTIVITY, TICK_ACTIVITY } from "./names";
import { tickActivities } from "./tick";
import { appDependencies } from "../app/dependencies";

let activities: ReturnType<typeof createActivities> | undefined;
const get = () => (activities ??= createActivities(appDependencies()));

for (const name of Object.values(ACTIVITY)) {
  df.app.activity(name, { handler: (input: unknown) => (get()[name] as (i: unknown) => Promise<unknown>)(input) });
}

// The tick's activities take the durable client the extension binds to each invocation.
const client = df.input.durableClient();
const tick = (context: InvocationContext) => tickActivities(df.getClient(context), appDependencies());
for (const name of Object.values(TICK_ACTIVITY)) {
  df.app.activity(name, { extraInputs: [client], handler: (input: unknown, context) => (tick(context)[name] as (i: unknown) => Promise<unknown>)(input) });
}
