// Type-checked lint for the whole project. Orchestrators get extra rules: they are replayed,
// so anything non-deterministic (clock, randomness, environment, I/O) is a bug there.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: [".azure-package/**", "dist/**", "node_modules/**", "coverage/**", ".local/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { project: "./tsconfig.test.json", tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-floating-promises": "error",
      eqeqeq: ["error", "always"],
    },
  },
  {
    files: ["functions/orchestrators/**/*.ts"],
    rules: {
      "no-restricted-globals": ["error", "process", "setTimeout", "setInterval", "fetch", "crypto"],
      "no-restricted-properties": [
        "error",
        { object: "Date", property: "now", message: "Use context.df.currentUtcDateTime." },
        { object: "Math", property: "random", message: "Orchestrators must be deterministic." },
      ],
      "no-restricted-syntax": [
        "error",
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: "Use context.df.currentUtcDateTime." },
      ],
      "no-restricted-imports": "off",
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["node:*", "fs", "http", "https", "net", "child_process", "crypto", "@azure/*", "applicationinsights"], message: "Orchestrators do no I/O: call an activity." },
            // The composition root builds clients from settings and secrets; a replayed orchestrator must see neither.
            { group: ["**/app/*", "**/triggers/*"], message: "Orchestrators must not reach the composition root or the triggers: what they need travels in their input." },
            {
              group: ["**/shared/backends/*/**", "**/shared/storage/*", "**/shared/http/*", "**/shared/telemetry/*", "**/shared/history/run-history", "**/shared/history/history-error"],
              // Their data types (an operation to follow, a traffic map) may travel through an orchestrator.
              allowTypeImports: true,
              message: "Orchestrators must not import clients: call an activity.",
            },
            // Only the types of the activity factories: their values hold the clients.
            { group: ["**/activities/activities", "**/activities/tick", "**/activities/promotion", "**/activities/register", "**/activities/dependencies", "**/activities/helpers", "**/activities/outcome"], allowTypeImports: true, message: "Orchestrators may import only the types of activities." },
          ],
        },
      ],
    },
  },
  {
    files: ["**/*.mjs", "**/*.js"],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // Plain CommonJS fixtures (e.g. a small Functions app the local host loads in tests).
    files: ["**/*.js"],
    languageOptions: { sourceType: "commonjs", globals: { require: "readonly", module: "writable", exports: "writable", setTimeout: "readonly", process: "readonly", __dirname: "readonly", console: "readonly" } },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
);
