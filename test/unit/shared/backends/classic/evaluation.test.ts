import { describe, expect, it } from "vitest";
import { evaluate, evaluationCsv } from "../../../../../emulator/training/metrics";
import { EvaluationError, parseEvaluation } from "../../../../../shared/backends/classic/evaluation";
import { CLASSIC_METRICS } from "../../../../../shared/backends/classic/metrics";
import { fromReported } from "../../../../../shared/evaluation/metrics";

const HEADER = "Accuracy,Precision,Recall,F-Score,AUC,Average Log Loss,Training Log Loss";
const ROW = "0.85,0.72,0.6,0.6545,0.9,0.33,0.41";
/** Evaluate Model's columns come back under the canonical names. */
const MODEL = { accuracy: 0.85, precision: 0.72, recall: 0.6, f1_score: 0.6545, auc: 0.9, log_loss: 0.33, training_log_loss: 0.41 };
const csv = (...lines: string[]) => lines.join("\n");

describe("parseEvaluation", () => {
  it("reads Evaluate Model's single row as the new model's metrics", () => {
    expect(parseEvaluation(csv(HEADER, ROW))).toEqual({ model: MODEL });
  });

  it("reads a second row as the compared model", () => {
    expect(parseEvaluation(csv(HEADER, ROW, "0.8,0.7,0.5,0.58,0.88,0.35,-0.1"))).toEqual({
      model: MODEL,
      compared: { accuracy: 0.8, precision: 0.7, recall: 0.5, f1_score: 0.58, auc: 0.88, log_loss: 0.35, training_log_loss: -0.1 },
    });
  });

  it("tolerates a BOM, CRLF, quoted headers, a trailing newline and reordered columns", () => {
    const quoted = '"AUC","Accuracy","Precision","Recall","F-Score","Average Log Loss","Training Log Loss"';
    expect(parseEvaluation(`\uFEFF${quoted}\r\n0.9,0.85,0.72,0.6,0.6545,0.33,0.41\r\n`)).toEqual({ model: MODEL });
  });

  it("reads what the emulator's Evaluate Model writes", () => {
    const m = evaluate([0.9, 0.7, 0.4, 0.2], [1, 0, 1, 0], 0.5);
    expect(parseEvaluation(evaluationCsv([m])).model).toEqual(fromReported(CLASSIC_METRICS, m));
    expect(parseEvaluation(evaluationCsv([m])).model.auc).toBe(m.AUC);
  });

  it.each([
    ["a missing column", csv(HEADER.replace(",AUC", ""), "0.85,0.72,0.6,0.65,0.33,0.41"), "lacks the column(s): AUC"],
    ["NaN", csv(HEADER, ROW.replace("0.85", "NaN")), 'Accuracy is "NaN", not a finite number'],
    ["a word", csv(HEADER, ROW.replace("0.72", "abc")), 'Precision is "abc", not a finite number'],
    ["an empty cell", csv(HEADER, ROW.replace("0.9", "")), 'AUC is "", not a finite number'],
    ["Infinity", csv(HEADER, ROW.replace("0.33", "Infinity")), 'Average Log Loss is "Infinity"'],
    ["AUC above 1", csv(HEADER, ROW.replace("0.9", "1.2")), "AUC is 1.2, not between 0 and 1"],
    ["negative Accuracy", csv(HEADER, ROW.replace("0.85", "-0.1")), "Accuracy is -0.1, not between 0 and 1"],
    ["a negative log loss", csv(HEADER, ROW.replace("0.33", "-0.2")), "Average Log Loss is -0.2, not 0 or more"],
    ["a Training Log Loss above 1 (better than perfect)", csv(HEADER, ROW.replace("0.41", "1.5")), "Training Log Loss is 1.5, not at most 1"],
    ["a short row", csv(HEADER, "0.85,0.72,0.6"), "row 1 has 3 values for 7 columns"],
    ["three rows", csv(HEADER, ROW, ROW, ROW), "has 3 rows"],
    ["a header only", csv(HEADER, ""), "header but no rows"],
    ["empty text", "", "empty"],
    ["blank lines only", "\n \r\n", "empty"],
  ])("refuses %s", (_, text, message) => {
    expect(() => parseEvaluation(text)).toThrow(EvaluationError);
    expect(() => parseEvaluation(text)).toThrow(message);
  });
});
