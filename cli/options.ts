import { CliError, EXIT } from "./exit-codes";
import { parseDuration } from "./follow";

/** Argument parsers: a bad value is a usage error (exit 2) naming the flag and what it takes. */

export function wholeNumber(flag: string, min: number, max: number): (text: string) => number {
  return (text) => {
    // Digits only: Number() would also take "1e2", "0x10" and " 5".
    const n = /^\d{1,7}$/.test(text) ? Number(text) : Number.NaN;
    if (!(n >= min && n <= max)) throw new CliError(`${flag} must be a whole number ${min}–${max}; got "${text.slice(0, 40)}"`, EXIT.usage);
    return n;
  };
}

export function duration(flag: string): (text: string) => number {
  return (text) => {
    try {
      return parseDuration(text);
    } catch (e) {
      throw new CliError((e as Error).message.replace("--timeout", flag), EXIT.usage);
    }
  };
}

/** A short free text (comment, reason, gate): bounded as the API bounds it. */
export function text(flag: string, maxChars: number): (value: string) => string {
  return (value) => {
    if (value.trim() === "") throw new CliError(`${flag} must not be empty`, EXIT.usage);
    if (value.length > maxChars) throw new CliError(`${flag} is at most ${maxChars} characters; got ${value.length}`, EXIT.usage);
    return value;
  };
}

/** An endpoint name: 1 to 64 printable characters, as `POST /api/retrain` takes it (the app says whether it knows it). */
export function endpointName(value: string): string {
  if (value === "" || value.length > 64 || /[\p{Cc}\p{Cf}/\\]/u.test(value)) throw new CliError(`ENDPOINT must be an endpoint name of 1 to 64 printable characters without / or \\ (retrainer endpoints list shows them); got ${JSON.stringify(value.slice(0, 60))}`, EXIT.usage);
  return value;
}

export const DEFAULT_FOLLOW_TIMEOUT = "24h";
