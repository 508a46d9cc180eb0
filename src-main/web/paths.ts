/**
 * Where the console keeps its data and finds its build, computed the same way by both hosts (plain Node,
 * so the Electron shell can use it too): a technician who switches between `npm start` and `npm run web`
 * sees the same servers, settings and offline cache.
 */
import { homedir } from 'node:os';
import path from 'node:path';

/** Build outputs, relative to the app folder (the repository, or the packaged app's asar). */
export const RENDERER_BUILD = 'dist/renderer';
/** The Electron preload, bundled as CommonJS: sandboxed preloads cannot be ES modules. */
export const PRELOAD_BUNDLE = 'dist/main/preload.cjs';
/** The browser host's CLI (`npm run web`), which `npm start` runs where Electron cannot start. */
export const WEB_BUNDLE = 'dist/main/web.js';

/** The folder name under the platform's application-data folder. */
export const APP_FOLDER = 'Backup Console';

/**
 * The platform's per-user application-data folder + APP_FOLDER: what Electron's `userData` is for an app of
 * that name (%APPDATA% on Windows, ~/Library/Application Support on macOS, $XDG_CONFIG_HOME or ~/.config
 * elsewhere).
 */
export function defaultDataDir(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env, home: string = homedir()): string {
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), APP_FOLDER);
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', APP_FOLDER);
  return path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), APP_FOLDER);
}
