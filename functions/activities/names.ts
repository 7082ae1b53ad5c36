/** Activity names: the orchestrator refers to activities only through these and their types. */
export const ACTIVITY = {
  stageData: "stageTrainingData",
  checkData: "checkTrainingData",
  submitJob: "submitTrainingJob",
  startJob: "startTrainingJob",
  checkJob: "checkTrainingJob",
  cancelJob: "cancelTrainingJob",
  evaluate: "evaluateModel",
  promote: "promoteModel",
  verify: "verifyPromotion",
  rollback: "rollbackModel",
  record: "recordRunOutcome",
} as const;

/** The Azure ML (v2) rollout's own steps (training's check and cancel are the shared ones above). */
export const AZUREML_ACTIVITY = {
  submitJob: "azuremlSubmitJob",
  evaluate: "azuremlEvaluate",
  register: "azuremlRegisterModel",
  readEndpoint: "azuremlReadEndpoint",
  createDeployment: "azuremlCreateDeployment",
  pollOperation: "azuremlPollOperation",
  setTraffic: "azuremlSetTraffic",
  probe: "azuremlProbe",
  deleteDeployment: "azuremlDeleteDeployment",
  readDeployment: "azuremlReadDeployment",
} as const;

export type ActivityName = (typeof ACTIVITY)[keyof typeof ACTIVITY] | (typeof AZUREML_ACTIVITY)[keyof typeof AZUREML_ACTIVITY];

/** Activities that start and watch runs through the durable client (bound per invocation). */
export const TICK_ACTIVITY = {
  startRun: "startEndpointRun",
  checkRuns: "checkEndpointRuns",
} as const;

export type TickActivityName = (typeof TICK_ACTIVITY)[keyof typeof TICK_ACTIVITY];

/** The new-data watcher's activities: they read its endpoint's waiting data and start runs through the durable client. */
export const NEW_DATA_ACTIVITY = {
  read: "readPendingData",
  startRun: "startPendingDataRun",
  close: "closeNewDataWatcher",
} as const;

export type NewDataActivityName = (typeof NEW_DATA_ACTIVITY)[keyof typeof NEW_DATA_ACTIVITY];

/** Webhook notifications: start one delivery orchestration per webhook (through the durable client), and deliver one attempt. */
export const NOTIFY_ACTIVITY = {
  start: "startNotifications",
  deliver: "deliverWebhook",
} as const;

export type NotifyActivityName = (typeof NOTIFY_ACTIVITY)[keyof typeof NOTIFY_ACTIVITY];
