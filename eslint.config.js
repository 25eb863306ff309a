import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { layers } from './scripts/layers.ts';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'coverage/', '**/__generated__/'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.js', 'scripts/*.cjs'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unnecessary-condition': ['error', { allowConstantLoopConditions: true }],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { process: 'readonly', module: 'writable', require: 'readonly' } },
    // CommonJS files load with require(); scripts/check-node.cjs must, to run on old Node.
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  ...layers,
);
