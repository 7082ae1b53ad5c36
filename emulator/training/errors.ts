/** A problem with the data or parameters of a training job. Its message becomes the job's `Details`. */
export class TrainingError extends Error {
  override readonly name = "TrainingError";
}

/** A job that was cancelled while it trained. */
export class TrainingCancelled extends Error {
  override readonly name = "TrainingCancelled";
}
