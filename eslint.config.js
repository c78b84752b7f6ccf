// ESLint flat config: typescript-eslint's type-checked rules over src/ and test/. Formatting is Prettier's job
// (.prettierrc); eslint-config-prettier, last, turns off the stylistic rules that would fight it.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'test/fixtures/', '.segflow/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // node:test's runner awaits the tests and suites handed to it at the top level of a file; a subtest
      // (t.test) or any other promise still has to be awaited, and the rule still says so.
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite'] }] },
      ],
      // `const { source: _s, ...rest } = x` is how the code drops a key; `_name` marks a parameter an interface
      // requires but this implementation does not read.
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true, argsIgnorePattern: '^_' }],
      // Off: the emulator's handler tables, the ports and their test fakes implement Promise-returning interfaces
      // with `async` functions on purpose (a throw becomes a rejection, as callers expect) even when the body has
      // nothing to await. Forgotten awaits are caught by no-floating-promises and no-misused-promises, still on.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // Plain JavaScript (this file, test/run.mjs, the benchmarks, examples) is outside tsconfig.json: no types.
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: globals.node },
  },
  prettier,
);
