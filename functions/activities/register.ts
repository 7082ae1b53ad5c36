import * as df from "durable-functions";
import type { InvocationContext } from "@azure/functions";
import { createActivities } from "./activities";
import { ACTIVITY, AZUREML_ACTIVITY, NEW_DATA_ACTIVITY, NOTIFY_ACTIVITY, TICK_ACTIVITY, type ActivityName as Name, type NewDataActivityName as NewDataName, type NotifyActivityName as NotifyName, type TickActivityName as TickName } from "./names";
import type { ActivityInput, HandlerTable } from "./signatures";
import { tickActivities } from "./tick";
import { newDataActivities } from "./new-data";
import { notifyActivities } from "./notify";
import { webhooksOf } from "../../shared/config/settings";
import { fetchPost } from "../../shared/notify/delivery";
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

// Notifications: the webhooks and the secrets (webhook signing, console links) come from settings when used, never from an orchestration's input.
const notify = (context: InvocationContext): HandlerTable<NotifyName> => {
  const settings = appSettings();
  const d = appDependencies();
  return notifyActivities(df.getClient(context), {
    history: d.history, telemetry: d.telemetry, targets: (endpoint) => webhooksOf(settings, endpoint),
    ...(settings.RETRAIN_WEBHOOK_SECRET ? { secret: settings.RETRAIN_WEBHOOK_SECRET } : {}),
    ...(settings.RETRAIN_CONSOLE_SECRET ? { consoleSecret: settings.RETRAIN_CONSOLE_SECRET } : {}),
    // The Functions host sets WEBSITE_HOSTNAME (the local host too, to its loopback address and port).
    appBaseUrl: () => {
      const host = process.env.WEBSITE_HOSTNAME ?? "localhost";
      return `${/^(127\.|localhost)/.test(host) ? "http" : "https"}://${host}`;
    },
    firstRetryInSeconds: settings.RETRAIN_WEBHOOK_FIRST_RETRY_SECONDS, post: fetchPost, now: Date.now,
  });
};
const notifyHandler = <K extends NotifyName>(name: K) => (input: ActivityInput<K>, context: InvocationContext) => notify(context)[name](input);
for (const name of Object.values(NOTIFY_ACTIVITY)) df.app.activity(name, { extraInputs: [client], handler: notifyHandler(name) });
