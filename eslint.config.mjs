// Lint with type information: the rules below catch promises nobody awaits and switches that
// silently miss a case, both of which lose messages in a queue-driven backend.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      // kept builds for `pnpm bench:ab` (docs/performance.md)
      '**/dist-*/**',
      '**/node_modules/**',
      '**/coverage/**',
      'e2e/artifacts/**',
      'e2e/test-results/**',
      '*.d.mts',
      'packages/kommo-sandbox/test/fixtures/widget/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: {
          allowDefaultProject: ['*.mjs', 'scripts/*.mjs'],
        },
        tsconfigRootDir: import.meta.dirname,
      },
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true },
      ],
      '@typescript-eslint/require-await': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      eqeqeq: ['error', 'always'],
      curly: ['error', 'multi-line'],
    },
  },
  {
    // Nest injects by the runtime class, so constructor parameter types must stay value imports.
    files: ['apps/api/src/**/*.ts', 'apps/api/test/**/*.ts'],
    rules: {
      '@typescript-eslint/consistent-type-imports': 'off',
      // process.env is read in one place only: the config module validates it.
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read configuration through AppConfig.' },
      ],
    },
  },
  {
    // SQL runs in one place per table: its repository (docs/architecture.md, "Layers").
    // Migrations and the boot-time preflight (before any module exists) are the exceptions.
    files: ['apps/api/src/**/*.ts'],
    ignores: [
      'apps/api/src/**/*.repository.ts',
      'apps/api/src/**/*.spec.ts',
      'apps/api/src/database/migrations/**',
      'apps/api/src/common/preflight/**',
    ],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.type='MemberExpression'][callee.property.name='query']",
          message: "Run SQL in the owning table's *.repository.ts.",
        },
      ],
    },
  },
  {
    files: ['apps/api/src/config/**/*.ts', 'apps/api/test/**/*.ts', 'apps/api/vitest*.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    files: ['apps/widget/src/**/*.{ts,tsx}', 'apps/admin/src/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // The widget's hand-written AMD entry runs in Kommo's page as plain browser JavaScript.
    files: ['apps/widget/static/**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      sourceType: 'script',
      globals: { ...globals.browser, ...globals.amd },
    },
    // `var self = this` is how Kommo's documented widgets reach the widget object in callbacks.
    rules: {
      ...tseslint.configs.disableTypeChecked.rules,
      '@typescript-eslint/no-this-alias': 'off',
    },
  },
);
