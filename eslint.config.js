import { builtinModules } from 'node:module';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import svelte from 'eslint-plugin-svelte';
import tseslint from 'typescript-eslint';
import svelteConfig from './src-renderer/svelte.config.js';

// Layering is enforced here (DESIGN.md, "Programs and folders"): arrows point one way, only src-main/shell
// imports 'electron', raw ipcMain/ipcRenderer stay inside the shell's typed wrappers, no import circles,
// and no source file grows past 400 lines (split it by responsibility instead).

/** An import of another top-level program folder, however many `../` lead there. */
const program = (folder, why) => ({ regex: `(^|/)${folder}(/|$)`, message: why });
const NODE_BUILTINS = { regex: `^(node:.*|${builtinModules.join('|')})(/.*)?$`, message: 'The renderer runs in a browser: no Node modules.' };
const ELECTRON = { name: 'electron', message: 'Only src-main/shell may import electron.' };

/** What every part of the console's main process stays away from. */
const MAIN = [
  program('src-renderer', 'The main process serves the renderer build; it imports none of its code.'),
  program('src-server', 'The console starts the server as a process (core/embedded-server.ts), never imports it.'),
  program('src-agent', 'The console imports no agent code.'),
];
const shellElectron = (importNames, message) => ({ name: 'electron', importNames, message });

/** One `no-restricted-imports` rule per folder: ESLint keeps only the last matching config's rule options. */
const layer = (files, patterns, paths = [ELECTRON]) => ({ files, rules: { 'no-restricted-imports': ['error', { paths, patterns }] } });

export default tseslint.config(
  { ignores: ['dist/**', 'release/**', 'node_modules/**', 'test-results/**'] },
  ...tseslint.configs.recommended,
  ...svelte.configs['flat/recommended'],
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'], svelteConfig } },
  },
  {
    plugins: { 'import-x': importX },
    // no-cycle follows imports into TypeScript files, which it must be told how to parse.
    settings: {
      'import-x/extensions': ['.ts', '.js', '.mjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: ['tsconfig.json', 'src-renderer/tsconfig.json'], noWarnOnMultipleProjects: true })],
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', { paths: [ELECTRON] }],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'max-lines': ['error', { max: 400 }],
    },
  },
  // Tests and the demo data set are long by nature: a file per subject, a data set in one place.
  { files: ['test/**', 'src-server/demo.ts'], rules: { 'max-lines': 'off' } },

  // The folders and what they may import (DESIGN.md: renderer → shared; main/core → shared; shell and web
  // → core; server → shared; agent → shared).
  layer(['src-shared/**'], [
    program('src-server', 'src-shared is the contract: it imports no program.'),
    program('src-agent', 'src-shared is the contract: it imports no program.'),
    program('src-main', 'src-shared is the contract: it imports no program.'),
    program('src-renderer', 'src-shared is the contract: it imports no program.'),
  ]),
  layer(['src-renderer/**'], [
    NODE_BUILTINS,
    program('src-main', 'The renderer talks to the main process only through the bridge (src-shared/bridge).'),
    program('src-server', 'The renderer never talks to servers: it goes through the bridge.'),
    program('src-agent', 'The renderer imports no program.'),
  ]),
  layer(['src-server/**'], [
    program('src-main', 'The server imports no console code.'),
    program('src-renderer', 'The server imports no console code.'),
    program('src-agent', 'The server imports no agent code: what they share lives in src-shared.'),
  ]),
  layer(['src-agent/**'], [
    program('src-main', 'The agent imports no console code.'),
    program('src-renderer', 'The agent imports no console code.'),
    program('src-server', 'The agent imports no server code: what they share lives in src-shared.'),
  ]),
  layer(['src-main/**'], MAIN),
  layer(['src-main/core/**'], [...MAIN, { regex: '(^|/)(shell|web)(/|$)', message: 'core is plain Node under both hosts: it imports neither the shell nor the web host.' }]),
  // Inside the shell, electron is allowed, but ipcMain and ipcRenderer only behind the typed wrappers.
  layer(['src-main/shell/**'], MAIN, [shellElectron(['ipcMain', 'ipcRenderer'], 'Use the typed wrappers: ipcMain only in src-main/shell/ipc.ts, ipcRenderer only in src-main/shell/preload.ts.')]),
  {
    // Default and namespace imports are banned too, since `electron.ipcMain` would get around importNames.
    files: ['src-main/shell/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "ImportDeclaration[source.value='electron'] > :matches(ImportDefaultSpecifier, ImportNamespaceSpecifier)",
          message: "Import electron's modules by name, so the ipcMain/ipcRenderer rule can see them.",
        },
      ],
    },
  },
  layer(['src-main/shell/ipc.ts'], MAIN, [shellElectron(['ipcRenderer'], 'ipcRenderer belongs in preload.ts.')]),
  layer(['src-main/shell/preload.ts'], MAIN, [shellElectron(['ipcMain'], 'ipcMain belongs in ipc.ts.')]),
  // npm start runs the launcher in plain Node, where importing electron starts a binary download.
  layer(['src-main/shell/launch.ts'], MAIN, [{ name: 'electron', message: 'The launcher runs in plain Node: no electron import.' }]),
);
