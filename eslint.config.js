// Lint: typescript-eslint's recommended rules on the sources, tests, bench and scripts; with `prettier --check`, this
// is `npm run lint`, which CI runs.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import prettier from 'eslint-config-prettier';

export default tseslint.config(
  // Generated code and AssemblyScript (its own dialect, checked by its compiler) are not linted.
  {
    ignores: [
      'dist/',
      'node_modules/',
      'src/backend/wasm/generated/',
      'src/backend/wasm/assembly/',
      'src/io/onnx/onnx_proto.generated.ts',
      'test/.generated/',
      'runs/',
      'docs/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier, // formatting is Prettier's (npm run format); no lint rule argues with it
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      // Unused names are errors, except deliberate ones (leading underscore) and rest siblings used to omit keys.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    // Tests drive the API with loosely typed tables (fixture cases, per-optimizer constructors): `any` is allowed there.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
