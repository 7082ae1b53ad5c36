import * as df from "durable-functions";
import { createActivities } from "./activities";
import { ACTIVITY } from "./names";
import { appDependencies } from "../app/dependencies";

let activities: ReturnType<typeof createActivities> | undefined;
const get = () => (activities ??= createActivities(appDependencies()));

for (const name of Object.values(ACTIVITY)) {
  df.app.activity(name, { handler: (input: unknown) => (get()[name] as (i: unknown) => Promise<unknown>)(input) });
}
