// eslint with typescript-eslint's recommended rules over every TypeScript and JavaScript file we
// write. Syntax-only rules (no type information): the whole tree lints in seconds, and tsc already
// type-checks. Formatting is not linted (see .prettierrc.json).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  // What .gitignore ignores: build output, installed modules, the e2e and host harnesses' work folders
  // and downloaded VS Code, runs.
  {
    ignores: [
      'dist/**',
      'out/**',
      'node_modules/**',
      'test/e2e/node_modules/**',
      'test/e2e/.work/**',
      'test/host/.work/**',
      '.vscode-test/**',
      'test-output/**',
      '.stepgrpo/**',
      '**/*.d.ts',
      '**/*.d.mts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      // `_name` marks a value that is deliberately unused (destructuring it away).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  // Webview code, and the UI scripts' page.evaluate callbacks, run in the browser.
  { files: ['webview/**', 'test/e2e/ui/**'], languageOptions: { globals: { ...globals.browser } } },
  // Tests read JSON replies of any shape (HTTP bodies, Python output) and assert on them field by field.
  { files: ['test/**'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
  { files: ['**/*.js', '**/*.cjs'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
);
