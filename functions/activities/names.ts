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
