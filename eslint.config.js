import tseslint from 'typescript-eslint';

// Layering is enforced here (DESIGN.md): only src-main/shell may import 'electron', and raw
// ipcMain/ipcRenderer stay inside the shell's typed wrappers.
export default tseslint.config(
  { ignores: ['dist/**', 'release/**', 'node_modules/**', 'test-results/**', 'src-renderer/**/*.svelte'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: 'Only src-main/shell may import electron.' }] }],
    },
  },
  {
    files: ['src-main/shell/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
);
