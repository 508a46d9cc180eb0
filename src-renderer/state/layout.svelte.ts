import type { SettingsState } from './settings.js';

const LAYOUT_KEY = 'ui.layout';
export const DEFAULT_TREE_WIDTH = 320;
const MIN_TREE_WIDTH = 200;
const MAX_TREE_WIDTH = 800;

const clampWidth = (px: number) => Math.max(MIN_TREE_WIDTH, Math.min(MAX_TREE_WIDTH, px));

/** The window's layout (the navigation pane's width), restored on start and saved as it changes. */
export class LayoutState {
  treeWidth = $state(DEFAULT_TREE_WIDTH);
  readonly minTreeWidth = MIN_TREE_WIDTH;
  readonly maxTreeWidth = MAX_TREE_WIDTH;
  readonly #settings: SettingsState;

  constructor(settings: SettingsState) {
    this.#settings = settings;
  }

  async restore(): Promise<void> {
    const value = await this.#settings.get(LAYOUT_KEY);
    const w = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)['treeWidth'] : undefined;
    this.treeWidth = typeof w === 'number' && Number.isFinite(w) ? clampWidth(w) : DEFAULT_TREE_WIDTH;
  }

  setTreeWidth(px: number): void {
    this.treeWidth = Math.round(clampWidth(px));
    this.#settings.save(LAYOUT_KEY, { treeWidth: this.treeWidth });
  }
}
