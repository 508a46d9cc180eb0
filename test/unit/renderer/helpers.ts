import { AppState } from '../../../src-renderer/state/app.svelte.js';
import { FakeBridge } from './fake-bridge.js';

/** A started console state over a fresh fake bridge. */
export async function startedApp(configure?: (bridge: FakeBridge) => void): Promise<{ bridge: FakeBridge; app: AppState }> {
  const bridge = new FakeBridge();
  configure?.(bridge);
  const app = new AppState(bridge);
  await app.start();
  return { bridge, app };
}

/** Lets pending bridge promises and Svelte updates settle. */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setTimeout(r, 0));
}

/** The body rows of a role="table" (without its header row). */
export function bodyRows(table: HTMLElement): HTMLElement[] {
  return [...table.querySelectorAll<HTMLElement>('[role="rowgroup"]:last-child > [role="row"]')];
}

export function cellTexts(row: HTMLElement): string[] {
  return [...row.querySelectorAll<HTMLElement>('[role="cell"]')].map((c) => c.textContent?.trim() ?? '');
}
