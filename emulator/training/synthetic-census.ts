import { seededRandom } from "./rng";

/**
 * Census-shaped demo data with the relationships that make the real set learnable (education,
 * marriage, age, hours and capital gains raise the odds of >50K), so the service can seed a
 * model and the demo can retrain without the real data set. Not a substitute for it in tests.
 */
export const CENSUS_COLUMNS = [
  "age", "workclass", "fnlwgt", "education", "education-num", "marital-status", "occupation",
  "relationship", "race", "sex", "capital-gain", "capital-loss", "hours-per-week", "native-country", "class",
] as const;

const EDUCATION: readonly [string, number, number][] = [
  // name, education-num, weight
  ["HS-grad", 9, 32], ["Some-college", 10, 22], ["Bachelors", 13, 16], ["Masters", 14, 5], ["Assoc-voc", 11, 4],
  ["11th", 7, 4], ["Assoc-acdm", 12, 3], ["10th", 6, 3], ["7th-8th", 4, 2], ["Prof-school", 15, 2], ["9th", 5, 2], ["Doctorate", 16, 1],
];
const WORKCLASS: readonly [string, number][] = [["Private", 70], ["Self-emp-not-inc", 8], ["Local-gov", 6], ["?", 5], ["State-gov", 4], ["Self-emp-inc", 3], ["Federal-gov", 3]];
const OCCUPATION: readonly [string, number, number][] = [
  // name, weight, log-odds shift
  ["Prof-specialty", 13, 0.9], ["Craft-repair", 13, 0], ["Exec-managerial", 12, 1.1], ["Adm-clerical", 12, -0.3], ["Sales", 11, 0.2],
  ["Other-service", 10, -1.2], ["Machine-op-inspct", 6, -0.4], ["?", 5, -0.8], ["Transport-moving", 5, -0.1], ["Handlers-cleaners", 4, -1], ["Tech-support", 3, 0.5],
];
const RACE: readonly [string, number][] = [["White", 85], ["Black", 10], ["Asian-Pac-Islander", 3], ["Amer-Indian-Eskimo", 1], ["Other", 1]];
const COUNTRY: readonly [string, number][] = [["United-States", 90], ["Mexico", 2], ["?", 2], ["Philippines", 1], ["Germany", 1], ["Canada", 1], ["India", 1]];

function pick<T extends readonly unknown[]>(items: readonly T[], random: () => number, weightIndex: number): T {
  const total = items.reduce((s, it) => s + (it[weightIndex] as number), 0);
  let r = random() * total;
  for (const it of items) {
    r -= it[weightIndex] as number;
    if (r <= 0) return it;
  }
  return items[items.length - 1]!;
}

export function syntheticCensusCsv(rows: number, seed: number): string {
  const random = seededRandom(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const lines: string[] = [CENSUS_COLUMNS.join(",")];
  for (let i = 0; i < rows; i++) {
    const age = Math.max(17, Math.min(90, Math.round(38 + 13 * normal())));
    const [education, educationNum] = pick(EDUCATION, random, 2);
    const sex = random() < 0.67 ? "Male" : "Female";
    const married = age > 22 && random() < 0.55;
    const marital = married ? "Married-civ-spouse" : age < 30 || random() < 0.6 ? "Never-married" : random() < 0.7 ? "Divorced" : "Widowed";
    const relationship = married ? (sex === "Male" ? "Husband" : "Wife") : age < 25 && random() < 0.5 ? "Own-child" : random() < 0.6 ? "Not-in-family" : "Unmarried";
    const [occupation, , occupationShift] = pick(OCCUPATION, random, 1);
    const hours = Math.max(1, Math.min(99, Math.round(40 + 11 * normal() + (married ? 3 : 0))));
    const capitalGain = random() < 0.08 ? Math.round(Math.exp(7 + 2 * random())) : 0;
    const capitalLoss = capitalGain === 0 && random() < 0.05 ? Math.round(1500 + 500 * random()) : 0;
    // Coefficients tuned so the mix resembles the real set: ~24 % earn >50K, and logistic
    // regression reaches an AUC near 0.9 on it.
    const logOdds =
      -12.6 + 0.5 * educationNum + 3 * (married ? 1 : 0) + 0.065 * Math.min(age, 55) + 0.035 * hours +
      1.4 * occupationShift + (sex === "Male" ? 0.4 : 0) + (capitalGain > 5000 ? 3.5 : 0) + (capitalLoss > 0 ? 0.8 : 0);
    const label = random() < 1 / (1 + Math.exp(-logOdds)) ? ">50K" : "<=50K";
    lines.push([
      age, pick(WORKCLASS, random, 1)[0], Math.round(190000 + 100000 * normal() ** 2), education, educationNum, marital, occupation,
      relationship, pick(RACE, random, 1)[0], sex, capitalGain, capitalLoss, hours, pick(COUNTRY, random, 1)[0], label,
    ].join(","));
  }
  return lines.join("\n") + "\n";
}
