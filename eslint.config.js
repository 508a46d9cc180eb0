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
    // Inside the shell, electron is allowed, but ipcMain and ipcRenderer only behind the typed wrappers;
    // default and namespace imports are banned too, since `electron.ipcMain` would get around importNames.
    files: ['src-main/shell/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              importNames: ['ipcMain', 'ipcRenderer'],
              message: 'Use the typed wrappers: ipcMain only in src-main/shell/ipc.ts, ipcRenderer only in src-main/shell/preload.ts.',
            },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "ImportDeclaration[source.value='electron'] > :matches(ImportDefaultSpecifier, ImportNamespaceSpecifier)",
          message: "Import electron's modules by name, so the ipcMain/ipcRenderer rule can see them.",
        },
      ],
    },
  },
  {
    files: ['src-main/shell/ipc.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [{ name: 'electron', importNames: ['ipcRenderer'], message: 'ipcRenderer belongs in preload.ts.' }] }] },
  },
  {
    files: ['src-main/shell/preload.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [{ name: 'electron', importNames: ['ipcMain'], message: 'ipcMain belongs in ipc.ts.' }] }] },
  },
  {
    // npm start runs the launcher in plain Node, where importing electron starts a binary download.
    files: ['src-main/shell/launch.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: 'The launcher runs in plain Node: no electron import.' }] }] },
  },
);
