// Lint: type-aware typescript-eslint, floating promises, import cycles, and a pure core —
// domain/, routing/, inventory/ and reconcile/ may not import Node built-ins or I/O libraries.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';

const IO_MODULES = [
  'node:*', 'fs', 'fs/*', 'path', 'os', 'http', 'https', 'net', 'crypto', 'child_process', 'worker_threads',
  'stream', 'events', 'url', 'util', 'zlib', 'dns', 'tls', 'process', 'timers', 'readline',
  'better-sqlite3', 'pg', 'fastify', 'fastify/*', '@fastify/*', 'pino', 'prom-client', 'uuid', 'undici',
  '@nats-io/*', 'commander',
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'data/**', 'bench/.peer/**', 'bench/out/**', 'coverage/**', '.tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'import-x/no-cycle': ['error', { maxDepth: 10 }],
    },
  },
  {
    files: ['src/domain/**/*.ts', 'src/routing/**/*.ts', 'src/inventory/**/*.ts', 'src/reconcile/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: IO_MODULES, message: 'The pure core imports no Node built-ins or I/O libraries (DESIGN §2.7).' }] },
      ],
      'no-restricted-globals': ['error', 'process', 'setTimeout', 'setInterval', 'fetch', 'crypto'],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
