// KQL through Microsoft's own Kusto parser and semantic analyser (Kusto.Language, the engine of
// the portal's query editor, as the npm package @kusto/language-service-next), against the
// Application Insights tables the queries read. Besides diagnostics, it reads from the syntax
// tree which telemetry each query depends on: the `name` values it filters on and the keys it
// reads from customDimensions / customMeasurements.
import { createRequire } from "node:module";

const load = createRequire(__filename);
// Bridge.NET output: the runtime first, then the library; both define globals.
load("@kusto/language-service-next/bridge.js");
load("@kusto/language-service-next/Kusto.Language.Bridge.js");

/** A .NET IReadOnlyList as Bridge.NET exposes it. */
interface List<T> { readonly Count: number; getItem(i: number): T }
/**
 * The few members of Kusto.Language's syntax nodes read here, all optional: the package's own
 * typings are .NET generics and one class per node kind, which would need a cast at every step.
 */
interface Node {
  readonly Kind: number;
  readonly IsToken?: boolean;
  readonly SimpleName?: string;
  readonly LiteralValue?: unknown;
  readonly Left?: Node;
  readonly Right?: Node;
  readonly Expression?: Node;
  readonly Selector?: Node;
  readonly Name?: Node;
  readonly Expressions?: List<{ readonly Element$1: Node }>;
  readonly ReferencedSymbol?: { readonly Kind: number } | null;
  ToString(options: number): string;
}
interface KustoLanguage {
  readonly Syntax: { readonly SyntaxKind: Record<string, number> };
  readonly Symbols: {
    readonly SymbolKind: Record<string, number>;
    readonly TableSymbol: { readonly $ctor7: new (name: string, schema: string, description: null) => unknown };
    readonly DatabaseSymbol: { readonly ctor: new (name: string, members: unknown[]) => unknown };
  };
  readonly GlobalState: { readonly Default: { WithDatabase(db: unknown): unknown } };
  readonly KustoCode: {
    ParseAndAnalyze(text: string, globals: unknown): {
      readonly Syntax: { WalkElements(f: (e: Node) => void): void };
      GetDiagnostics(): List<{ readonly Code: string; readonly Message: string; readonly Start: number }>;
    };
  };
}
const K = (globalThis as unknown as { Kusto: { Language: KustoLanguage } }).Kusto.Language;
const Kind = K.Syntax.SyntaxKind as Record<string, number> & {
  readonly NameReference: number; readonly StringLiteralExpression: number; readonly EqualExpression: number; readonly StartsWithExpression: number;
  readonly InExpression: number; readonly EndsWithExpression: number; readonly PathExpression: number; readonly ElementExpression: number; readonly SimpleNamedExpression: number;
};

/**
 * The columns of the two Application Insights tables the queries read (classic, resource-based
 * schema: learn.microsoft.com/azure/azure-monitor/reference/tables/customevents and .../custommetrics).
 */
const COMMON =
  "timestamp:datetime, name:string, itemType:string, customDimensions:dynamic, operation_Name:string, operation_Id:string, operation_ParentId:string, " +
  "operation_SyntheticSource:string, session_Id:string, user_Id:string, user_AuthenticatedId:string, user_AccountId:string, application_Version:string, " +
  "client_Type:string, client_Model:string, client_OS:string, client_IP:string, client_City:string, client_StateOrProvince:string, " +
  "client_CountryOrRegion:string, client_Browser:string, cloud_RoleName:string, cloud_RoleInstance:string, appId:string, appName:string, " +
  "iKey:string, sdkVersion:string, itemId:string";
export const APP_INSIGHTS_TABLES = {
  customEvents: `(${COMMON}, customMeasurements:dynamic, itemCount:int)`,
  customMetrics: `(${COMMON}, value:real, valueCount:int, valueSum:real, valueMin:real, valueMax:real, valueStdDev:real)`,
} as const;
export type AppInsightsTable = keyof typeof APP_INSIGHTS_TABLES;

const GLOBALS = K.GlobalState.Default.WithDatabase(
  new K.Symbols.DatabaseSymbol.ctor("appinsights", Object.entries(APP_INSIGHTS_TABLES).map(([name, schema]) => new K.Symbols.TableSymbol.$ctor7(name, schema, null))),
);


export type NameRef = { readonly kind: "exact" | "prefix"; readonly value: string };

export interface QueryAnalysis {
  /** The analyser's errors and warnings, as "KS142 The name 'x' does not refer to … (at 21)". */
  readonly diagnostics: string[];
  readonly tables: AppInsightsTable[];
  /** `name == "X"`, `name in ("X", …)`, `name startswith "X"`. */
  readonly names: NameRef[];
  /** Uses of `name` the drift check cannot verify (any other comparison). */
  readonly uncheckedNameUses: string[];
  /** Keys read as `customDimensions.key` / `customDimensions["key"]`, also through an alias (`extend d = customDimensions`). */
  readonly dimensions: string[];
  readonly measurements: string[];
  /** `endswith "X"` literals: a query that expands a bag and filters its keys by suffix. */
  readonly suffixes: string[];
}

const BAGS = { customDimensions: "dimensions", customMeasurements: "measurements" } as const;
type Bag = keyof typeof BAGS;

const list = <T>(l: List<T> | undefined): T[] => Array.from({ length: l?.Count ?? 0 }, (_, i) => l!.getItem(i));
const stringOf = (e: Node | undefined): string | undefined => (e?.Kind === Kind.StringLiteralExpression ? String(e.LiteralValue) : undefined);
const isName = (e: Node | undefined, name: string) => e?.Kind === Kind.NameReference && e.SimpleName === name;
const isBag = (name: string | undefined): name is Bag => name !== undefined && name in BAGS;

export function analyseKql(text: string): QueryAnalysis {
  const code = K.KustoCode.ParseAndAnalyze(text, GLOBALS);
  const diagnostics = list(code.GetDiagnostics()).map((d) => `${d.Code} ${d.Message} (at ${d.Start})`);
  const tables = new Set<AppInsightsTable>();
  const names: NameRef[] = [];
  const uncheckedNameUses: string[] = [];
  const keys = { dimensions: new Set<string>(), measurements: new Set<string>() };
  const suffixes: string[] = [];
  // `extend d = customDimensions` makes `d` the same bag.
  const alias = new Map<string, Bag>();
  code.Syntax.WalkElements((e) => {
    if (e.Kind === Kind.SimpleNamedExpression && e.Expression?.Kind === Kind.NameReference && isBag(e.Expression.SimpleName) && e.Name?.SimpleName) alias.set(e.Name.SimpleName, e.Expression.SimpleName);
  });
  const bagOf = (e: Node | undefined): Bag | undefined => {
    if (e?.Kind !== Kind.NameReference) return undefined;
    return isBag(e.SimpleName) ? e.SimpleName : alias.get(e.SimpleName ?? "");
  };
  code.Syntax.WalkElements((e) => {
    if (e.IsToken) return;
    if (e.Kind === Kind.NameReference && e.SimpleName && e.SimpleName in APP_INSIGHTS_TABLES && e.ReferencedSymbol?.Kind === K.Symbols.SymbolKind.Table) tables.add(e.SimpleName as AppInsightsTable);
    if (e.Kind === Kind.EqualExpression && isName(e.Left, "name") && stringOf(e.Right) !== undefined) names.push({ kind: "exact", value: stringOf(e.Right)! });
    else if (e.Kind === Kind.StartsWithExpression && isName(e.Left, "name") && stringOf(e.Right) !== undefined) names.push({ kind: "prefix", value: stringOf(e.Right)! });
    else if (e.Kind === Kind.InExpression && isName(e.Left, "name")) {
      for (const item of list(e.Right?.Expressions)) {
        const s = stringOf(item.Element$1);
        if (s === undefined) uncheckedNameUses.push(e.ToString(0).trim());
        else names.push({ kind: "exact", value: s });
      }
    } else if (e.Left !== undefined && e.Right !== undefined && (isName(e.Left, "name") || isName(e.Right, "name"))) uncheckedNameUses.push(e.ToString(0).trim());
    if (e.Kind === Kind.EndsWithExpression && stringOf(e.Right) !== undefined) suffixes.push(stringOf(e.Right)!);
    const bag = bagOf(e.Expression);
    if (!bag) return;
    if (e.Kind === Kind.PathExpression && e.Selector?.Kind === Kind.NameReference && e.Selector.SimpleName) keys[BAGS[bag]].add(e.Selector.SimpleName);
    if (e.Kind === Kind.ElementExpression) {
      const key = stringOf(e.Selector?.Expression);
      if (key !== undefined) keys[BAGS[bag]].add(key);
    }
  });
  return {
    diagnostics, tables: [...tables], names, uncheckedNameUses,
    dimensions: [...keys.dimensions].sort(), measurements: [...keys.measurements].sort(), suffixes,
  };
}

/** Does a name (exact) or family of names (prefix) match one that was emitted? */
export const matches = (ref: NameRef, emitted: string) => (ref.kind === "exact" ? emitted === ref.value : emitted.startsWith(ref.value));

/** The queries in the ```kusto blocks of a Markdown file; a blank line separates two, as in the Logs editor. */
export const kustoBlocks = (markdown: string): string[] =>
  [...markdown.matchAll(/^```kusto\n([\s\S]*?)^```$/gm)].flatMap((m) => m[1]!.split(/\n\s*\n/)).filter((q) => q.trim() !== "");
