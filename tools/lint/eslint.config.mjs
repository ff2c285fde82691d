// ESLint for akspol (flat config): the recommended JavaScript and typescript-eslint rules, without
// type information (fast, and the project's TypeScript 7 offers no JS API), tuned to the code as it
// is: rules that would only restyle it are off, rules that catch mistakes are on. Run: npm run lint.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));

export default tseslint.config(
  { basePath: root, ignores: ["dist/**", "node_modules/**", "tools/lint/node_modules/**", "coverage/**", "src/data/**", "**/*.d.ts"] },
  {
    basePath: root,
    files: ["**/*.ts", "**/*.mjs", "**/*.js"],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: "module",
      globals: {
        process: "readonly",
        console: "readonly",
        Buffer: "readonly",
        URL: "readonly",
        setTimeout: "readonly",
        clearTimeout: "readonly",
        setInterval: "readonly",
        clearInterval: "readonly",
        performance: "readonly",
        AbortController: "readonly",
        structuredClone: "readonly",
        TextEncoder: "readonly",
        TextDecoder: "readonly",
        fetch: "readonly",
        setImmediate: "readonly",
        queueMicrotask: "readonly",
        URLSearchParams: "readonly",
        AbortSignal: "readonly",
        globalThis: "readonly",
        document: "readonly",
        window: "readonly",
      },
    },
    rules: {
      // ARM documents, JSON fixtures and SDK models are read untyped in many places on purpose.
      "@typescript-eslint/no-explicit-any": "off",
      // Safe display (src/cli/safe-text.ts) and exemption names match control characters on purpose.
      "no-control-regex": "off",
      // Leftovers rather than mistakes: reported as warnings, so that one left by a parallel change
      // does not fail CI; the tree has none today (npm run lint prints nothing).
      // A variable read in a closure before its one assignment (the Resource Graph quota policy) is no mistake.
      "prefer-const": ["warn", { ignoreReadBeforeAssign: true }],
      // `_name` marks what is left out on purpose (destructuring to drop fields, unused callback parameters).
      "@typescript-eslint/no-unused-vars": ["warn", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none", ignoreRestSiblings: true }],
      "no-useless-assignment": "warn",
      "preserve-caught-error": "warn",
    },
  },
);
