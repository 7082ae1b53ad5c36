import * as df from "durable-functions";
import type { InvocationContext } from "@azure/functions";
import { createActivities } from "./activities";
import { ACTIVITY, AZUREML_ACTIVITY, NEW_DATA_ACTIVITY, TICK_ACTIVITY, type ActivityName as Name, type NewDataActivityName as NewDataName, type TickActivityName as TickName } from "./names";
import type { ActivityInput, HandlerTable } from "./signatures";
import { tickActivities } from "./tick";
import { newDataActivities } from "./new-data";
import { appDependencies, appSettings } from "../app/dependencies";
import { runInputFromHistory } from "../triggers/start-run";

let activities: HandlerTable<Name> | undefined;
const get = (): HandlerTable<Name> => (activities ??= createActivities(appDependencies()));

// Each handler is looked up by its own name, so the table's type carries its input through.
const handler = <K extends Name>(name: K) => (input: ActivityInput<K>) => get()[name](input);
for (const name of [...Object.values(ACTIVITY), ...Object.values(AZUREML_ACTIVITY)]) df.app.activity(name, { handler: handler(name) });

// The tick's activities take the durable client the extension binds to each invocation.
const client = df.input.durableClient();
const tick = (context: InvocationContext): HandlerTable<TickName> => tickActivities(df.getClient(context), appDependencies());
const tickHandler = <K extends TickName>(name: K) => (input: ActivityInput<K>, context: InvocationContext) => tick(context)[name](input);
for (const name of Object.values(TICK_ACTIVITY)) df.app.activity(name, { extraInputs: [client], handler: tickHandler(name) });

// The new-data watcher's too, with the run inputs built from settings and history as the HTTP trigger builds them.
const newData = (context: InvocationContext): HandlerTable<NewDataName> =>
  newDataActivities(df.getClient(context), appDependencies(), (o) => runInputFromHistory(appSettings(), appDependencies().history, o));
const newDataHandler = <K extends NewDataName>(name: K) => (input: ActivityInput<K>, context: InvocationContext) => newData(context)[name](input);
for (const name of Object.values(NEW_DATA_ACTIVITY)) df.app.activity(name, { extraInputs: [client], handler: newDataHandler(name) });
