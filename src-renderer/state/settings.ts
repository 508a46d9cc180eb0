import type { Bridge } from '../../src-shared/bridge.js';
import { errorMessage } from '../lib/errors.js';
import type { NoticesState } from './notices.svelte.js';

/** The console's saved UI settings (layout, column widths), read and written through the bridge. */
export class SettingsState {
  readonly #bridge: Bridge;
  readonly #notices: NoticesState;
  #timers = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(bridge: Bridge, notices: NoticesState) {
    this.#bridge = bridge;
    this.#notices = notices;
  }

  /** The saved value, or undefined when there is none or it cannot be read (the defaults apply). */
  async get(key: string): Promise<unknown> {
    try {
      return await this.#bridge.invoke('settings.get', { key });
    } catch {
      return undefined;
    }
  }

  /** Saves a setting a moment after the last change (dragging a splitter fires many). */
  save(key: string, value: unknown, delay = 400): void {
    const old = this.#timers.get(key);
    if (old) clearTimeout(old);
    this.#timers.set(
      key,
      setTimeout(() => {
        this.#timers.delete(key);
        this.#bridge.invoke('settings.set', { key, value }).catch((err: unknown) => this.#notices.notify(errorMessage(err, 'Saving the layout'), 'error'));
      }, delay),
    );
  }

  dispose(): void {
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
  }
}
