/** Activity names: the orchestrator refers to activities only through these and their types. */
export const ACTIVITY = {
  stageData: "stageTrainingData",
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

export type ActivityName = (typeof ACTIVITY)[keyof typeof ACTIVITY];

/** Activities that start and watch runs through the durable client (bound per invocation). */
export const TICK_ACTIVITY = {
  startRun: "startEndpointRun",
  checkRuns: "checkEndpointRuns",
} as const;

export type TickActivityName = (typeof TICK_ACTIVITY)[keyof typeof TICK_ACTIVITY];
