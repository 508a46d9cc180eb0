import { describe, expect, it } from 'vitest';
import { defaultDataDir } from '../../src-main/web/paths.js';

describe('defaultDataDir', () => {
  it("is Electron's userData folder for the app on each platform, so both hosts share their data", () => {
    expect(defaultDataDir('linux', {}, '/home/ana')).toBe('/home/ana/.config/Backup Console');
    expect(defaultDataDir('linux', { XDG_CONFIG_HOME: '/xdg' }, '/home/ana')).toBe('/xdg/Backup Console');
    expect(defaultDataDir('linux', { XDG_CONFIG_HOME: '' }, '/home/ana')).toBe('/home/ana/.config/Backup Console');
    expect(defaultDataDir('darwin', {}, '/Users/ana')).toBe('/Users/ana/Library/Application Support/Backup Console');
    expect(defaultDataDir('win32', { APPDATA: 'C:/Users/ana/AppData/Roaming' }, 'C:/Users/ana')).toBe('C:/Users/ana/AppData/Roaming/Backup Console');
  });
});
