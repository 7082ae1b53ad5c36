// What a zod field itself says about the values it takes: its default, whether it may be left out,
// its enum, a number's bounds, a string's format. Read from the schema so the settings reference
// cannot state a default or a range the app does not apply. zod 3 keeps these in `_def`, which is
// its public introspection surface (typeName, checks, defaultValue); wrappers are unwrapped outside in.
import { z } from "zod";

export interface Bound {
  readonly value: number;
  readonly inclusive: boolean;
}

export interface SchemaFacts {
  /** The value used when the setting is absent, as the schema holds it (before any transform). */
  readonly default?: unknown;
  readonly optional: boolean;
  readonly enumValues?: readonly string[];
  /** A JSON list: the facts then describe each of its items. */
  readonly list?: true;
  readonly boolean?: true;
  readonly integer?: true;
  readonly min?: Bound;
  readonly max?: Bound;
  readonly url?: true;
  readonly minLength?: number;
}

type Def = { typeName?: string; [key: string]: unknown };

export function factsOf(field: z.ZodTypeAny): SchemaFacts {
  let facts: { -readonly [K in keyof SchemaFacts]: SchemaFacts[K] } = { optional: false };
  let current: z.ZodTypeAny = field;
  for (;;) {
    const def = current._def as Def;
    switch (def.typeName) {
      case z.ZodFirstPartyTypeKind.ZodEffects: // refine, superRefine, transform: the checks a generator cannot read
        current = def.schema as z.ZodTypeAny;
        continue;
      case z.ZodFirstPartyTypeKind.ZodDefault:
        if (!("default" in facts)) facts.default = (def.defaultValue as () => unknown)();
        current = def.innerType as z.ZodTypeAny;
        continue;
      case z.ZodFirstPartyTypeKind.ZodOptional:
        facts.optional = true;
        current = def.innerType as z.ZodTypeAny;
        continue;
      case z.ZodFirstPartyTypeKind.ZodArray: // a JSON field's list: what each item may be
        facts.list = true;
        current = def.type as z.ZodTypeAny;
        continue;
      case z.ZodFirstPartyTypeKind.ZodEnum:
        return { ...facts, enumValues: def.values as string[] };
      case z.ZodFirstPartyTypeKind.ZodBoolean:
        return { ...facts, boolean: true };
      case z.ZodFirstPartyTypeKind.ZodNumber:
        for (const c of def.checks as { kind: string; value?: number; inclusive?: boolean }[]) {
          if (c.kind === "int") facts.integer = true;
          if (c.kind === "min") facts = { ...facts, min: tighter(facts.min, { value: c.value!, inclusive: c.inclusive! }, 1) };
          if (c.kind === "max") facts = { ...facts, max: tighter(facts.max, { value: c.value!, inclusive: c.inclusive! }, -1) };
        }
        return facts;
      case z.ZodFirstPartyTypeKind.ZodString:
        for (const c of def.checks as { kind: string; value?: number }[]) {
          if (c.kind === "url") facts.url = true;
          if (c.kind === "min") facts.minLength = Math.max(facts.minLength ?? 0, c.value!);
        }
        return facts;
      default:
        return facts;
    }
  }
}

/** Of two lower (direction 1) or upper (-1) bounds, the one that admits less. */
function tighter(a: Bound | undefined, b: Bound, direction: 1 | -1): Bound {
  if (!a) return b;
  if (a.value !== b.value) return (b.value - a.value) * direction > 0 ? b : a;
  return a.inclusive ? b : a;
}

/** The values a field takes, in words, from its facts: "`true`, `false`", "a whole number from 1 to 20". */
export function allowedFromFacts(f: SchemaFacts): string | undefined {
  if (f.enumValues) return `${f.list ? "a list of any of " : ""}${f.enumValues.map((v) => `\`${v}\``).join(", ")}`;
  if (f.boolean) return "`true`, `false`";
  if (f.url) return "a URL";
  if (f.min === undefined && f.max === undefined && !f.integer) return f.minLength && f.minLength > 1 ? `at least ${f.minLength} characters` : undefined;
  const kind = f.integer ? "a whole number" : "a number";
  if (f.min?.inclusive && f.max?.inclusive) return `${kind} from ${f.min.value} to ${f.max.value}`;
  const bounds = [
    f.min && `${f.min.inclusive ? "at least" : "more than"} ${f.min.value}`,
    f.max && `${f.max.inclusive ? "at most" : "less than"} ${f.max.value}`,
  ].filter(Boolean);
  return [kind, bounds.join(" and ")].filter(Boolean).join(" ");
}
