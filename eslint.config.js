// @ts-check
/**
 * One ESLint config for the whole workspace (run from the root: `pnpm lint`).
 *
 * Type-aware (from two programs, tsconfig.lint.json and tsconfig.lint.dom.json), plus the
 * architectural boundaries of DESIGN.md as rules, so that a boundary broken by accident fails CI
 * instead of surviving in a comment. Formatting is Prettier's job, not ESLint's.
 */
import { builtinModules } from "node:module";
import js from "@eslint/js";
import { defineConfig, globalIgnores } from "eslint/config";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";
import tseslint from "typescript-eslint";

const TS = ["**/*.ts", "**/*.tsx"];
/** Linted without type information (the last block below); kept out of tsconfig.lint*.json too. */
const TEST_AND_HARNESS_FILES = ["**/test", "apps/server/fuzz", "apps/server/soak", "bench"];
const JS = ["**/*.js", "**/*.mjs"];

// ---- Boundaries --------------------------------------------------------------------------------

/** `node:process`'s `env` is process.env by another name. */
const processEnvImports = ["node:process", "process"].map((name) => ({
  name,
  importNames: ["env"],
  message: "Configuration is read once, in apps/server/src/env.ts, and passed down.",
}));

/** What the pure rules engine may not import: anything that does I/O, and the layers built on it. */
const engineForbidden = [
  {
    group: ["node:*", ...builtinModules.flatMap((m) => [m, `${m}/*`])],
    message: "engine/ is pure: no Node built-ins (I/O belongs to service/, store/, bus/).",
  },
  {
    group: ["drizzle-orm", "drizzle-orm/*", "@herald/db", "@herald/db/*", "postgres", "@electric-sql/*", "ioredis", "ws", "pino"],
    message: "engine/ is pure: no database, Redis, socket or logger.",
  },
  { group: ["@trpc/*"], message: "engine/ is pure: tRPC belongs to router/, trpc.ts and the feed's wire code." },
  {
    regex: String.raw`^\.\./(service|store|redis|bus|feed|router|auth|testing|app|trpc|root|logger)(/|\.js$|$)`,
    message: "engine/ depends only on ../types.js and itself; the layers that do I/O depend on it, not the other way round.",
  },
];

/** store/, bus/ and redis/ are below the service and tRPC layers. */
const storageForbidden = [
  { group: ["@trpc/*"], message: "store/, bus/ and redis/ know nothing of tRPC: throw a store-level error, map it at the tRPC boundary." },
  {
    regex: String.raw`^\.\./(service|router|feed)(/|\.js$|$)|^\.\./(trpc|root|app)\.js$`,
    message: "store/, bus/ and redis/ sit below service/, feed/ and the router: they may not import them.",
  },
];

/** Browser code gets the server's *types* only; a value import would pull server code into the bundle. */
const browserTypeOnly = ["@herald/presence", "@herald/server", "@herald/db", "@trpc/server"];
/**
 * The client SDK likewise, except `@trpc/server/observable`: the client-safe observable that
 * `@trpc/client` itself is built on (its custom links are made of it).
 */
const clientTypeOnly = ["@herald/presence", "@herald/server", "@herald/db"];

// ---- Config ------------------------------------------------------------------------------------

export default defineConfig(
  globalIgnores([
    "**/node_modules/",
    "**/dist/",
    "**/dist-sourcemaps/",
    "**/.turbo/",
    "**/.data/",
    "**/coverage/",
    ".reports/",
    "bench/results/",
    "packages/db/migrations/",
  ]),

  { linterOptions: { reportUnusedDisableDirectives: "error" } },

  js.configs.recommended,

  {
    files: TS,
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      // Two programs for the whole workspace (Node and browser code), not one per package: each
      // package's program would type-check again the source of every package it imports.
      parserOptions: { project: ["./tsconfig.lint.json", "./tsconfig.lint.dom.json"], tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // `_`-prefixed names are deliberate (unused callback parameters, `{ omit: _, ...rest }`).
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrorsIgnorePattern: "^_", ignoreRestSiblings: true },
      ],
      // Off: interface implementations (in-memory store and bus) are `async` without awaiting so
      // that they have the same contract (a rejected promise, never a synchronous throw) as the
      // Redis ones; the rule would push them to `Promise.resolve` noise.
      "@typescript-eslint/require-await": "off",
      // Passing on a caught `unknown` is not the bug this rule is after (rejecting with a string is).
      "@typescript-eslint/prefer-promise-reject-errors": ["error", { allowThrowingUnknown: true }],
      // `catch {}` must say why it swallows (DESIGN.md: nothing swallowed silently).
      "no-empty": ["error", { allowEmptyCatch: false }],
    },
  },

  {
    // Plain JS (root and tooling scripts) and tooling's hand-written .d.ts are in no tsconfig:
    // lint them without type information.
    files: [...JS, "tooling/**/*.d.ts"],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: globals.node },
  },

  // Only apps/server/src/env.ts reads process.env (exemptions below).
  {
    rules: {
      "no-restricted-properties": [
        "error",
        { object: "process", property: "env", message: "Configuration is read once, in apps/server/src/env.ts, and passed down." },
      ],
      "no-restricted-imports": ["error", { paths: processEnvImports }],
    },
  },
  {
    files: [
      "apps/server/src/env.ts",
      // Test support, not server code: picks the scratch database of a test run (TEST_DATABASE_URL).
      "apps/server/src/testing/**",
      // Tests, and the scripts that drive servers as child processes (they pass env through).
      "**/test/**",
      "apps/server/fuzz/**",
      "apps/server/soak/**",
      "bench/**",
      // Build-time config (dev-server proxy target), never in the bundle.
      "apps/web/vite.config.ts",
      // Test config: where Chromium is (CHROMIUM_PATH, as the web app's browser tests read it).
      "packages/client/vitest.config.ts",
      ".ci/**",
      "tooling/**",
      // Examples are standalone programs of a user's, configured the way such programs are.
      "examples/**",
    ],
    rules: { "no-restricted-properties": "off", "no-restricted-imports": "off" },
  },

  {
    files: ["packages/presence/src/engine/**"],
    rules: { "no-restricted-imports": ["error", { paths: processEnvImports, patterns: engineForbidden }] },
  },
  {
    files: ["packages/presence/src/{store,bus,redis}/**"],
    rules: { "no-restricted-imports": ["error", { paths: processEnvImports, patterns: storageForbidden }] },
  },

  {
    // The web app and the React SDK run in browsers: the server's code must never reach them.
    files: ["apps/web/src/**", "packages/react/src/**"],
    // The two classic hook rules only. The plugin's React Compiler rules (refs, purity,
    // set-state-in-effect, …) matter once the app is built with the compiler, which it is not; they
    // flag the "latest value in a ref" pattern our hooks use on purpose.
    plugins: { "react-hooks": reactHooks },
    languageOptions: { globals: globals.browser },
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          paths: browserTypeOnly.map((name) => ({
            name,
            allowTypeImports: true,
            message: "Browser code imports only types from the server.",
          })),
          patterns: browserTypeOnly.map((name) => ({
            group: [`${name}/*`],
            allowTypeImports: true,
            message: "Browser code imports only types from the server.",
          })),
        },
      ],
      "react-hooks/rules-of-hooks": "error",
      "react-hooks/exhaustive-deps": "error",
    },
  },

  {
    files: ["packages/client/src/**"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          paths: [...clientTypeOnly, "@trpc/server"].map((name) => ({
            name,
            allowTypeImports: true,
            message: "The client SDK imports only types from the server: it runs in browsers (test/node/browser-bundle.test.ts).",
          })),
          patterns: clientTypeOnly.map((name) => ({
            group: [`${name}/*`],
            allowTypeImports: true,
            message: "The client SDK imports only types from the server: it runs in browsers (test/node/browser-bundle.test.ts).",
          })),
        },
      ],
    },
  },

  {
    // Tests and harnesses (fuzz, soak, bench) are linted without type information. A cold `pnpm
    // lint` with them typed took 46-49 s here (CI allows 60): nearly all of it the type checker
    // behind the typed rules; without them 39 s. They are still type-checked by `pnpm
    // typecheck` (tsc per package); what they lose is the typed rules (floating promises among
    // them), which the production code keeps.
    files: [...TEST_AND_HARNESS_FILES.map((dir) => `${dir}/**/*.ts`), "**/test/**/*.tsx"],
    extends: [tseslint.configs.disableTypeChecked],
  },
);
