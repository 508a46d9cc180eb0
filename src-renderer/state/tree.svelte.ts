import { errorMessage } from '../lib/errors.js';

/** What a node's loader returns: its children, and maybe a way to fetch more of them. */
export interface TreeLoad<D> {
  nodes: TreeNode<D>[];
  more?: { label: string; load: () => Promise<TreeLoad<D>> } | null;
}

let nextUid = 0;

/** One item of the tree. `loader` null = a leaf; `action` set = a pseudo item ("Load more", "Retry"). */
export class TreeNode<D> {
  readonly uid = `tree-item-${nextUid++}`;
  readonly key: string;
  label = $state('');
  /** Short state shown after the label (a server's connection state). */
  badge = $state<string | null>(null);
  data = $state.raw<D | null>(null);
  parent: TreeNode<D> | null = null;
  expanded = $state(false);
  children = $state.raw<TreeNode<D>[] | null>(null);
  loading = $state(false);
  readonly loader: (() => Promise<TreeLoad<D>>) | null;
  readonly action: (() => void | Promise<void>) | null;
  readonly tone: 'normal' | 'more' | 'error';

  constructor(init: {
    key: string;
    label: string;
    data?: D | null;
    badge?: string | null;
    loader?: (() => Promise<TreeLoad<D>>) | null;
    action?: (() => void | Promise<void>) | null;
    tone?: 'normal' | 'more' | 'error';
  }) {
    this.key = init.key;
    this.label = init.label;
    this.data = init.data ?? null;
    this.badge = init.badge ?? null;
    this.loader = init.loader ?? null;
    this.action = init.action ?? null;
    this.tone = init.tone ?? 'normal';
  }

  get expandable(): boolean {
    return this.loader !== null;
  }

  get level(): number {
    let n = 1;
    for (let p = this.parent; p; p = p.parent) n++;
    return n;
  }
}

/**
 * An ARIA tree's state: lazily loaded children, expansion, one selected item, and the roving focus
 * (the one item with tabindex 0). Keyboard handling follows the WAI-ARIA tree view pattern.
 */
export class TreeModel<D> {
  roots = $state.raw<TreeNode<D>[]>([]);
  focusedKey = $state<string | null>(null);
  selectedKey = $state<string | null>(null);
  /** Called when an item is chosen (Enter, click). */
  onselect: ((node: TreeNode<D>) => void) | null = null;
  #typed = '';
  #typedAt = 0;

  /** Every item a user can reach with the arrow keys, in order. */
  visible = $derived.by(() => {
    const out: TreeNode<D>[] = [];
    const walk = (nodes: readonly TreeNode<D>[]) => {
      for (const n of nodes) {
        out.push(n);
        if (n.expanded && n.children) walk(n.children);
      }
    };
    walk(this.roots);
    return out;
  });

  get selected(): TreeNode<D> | null {
    return this.selectedKey === null ? null : this.find(this.selectedKey);
  }

  /** The item with tabindex 0: the focused one, else the selected one, else the first. */
  get tabStop(): string | null {
    const keys = this.visible;
    if (this.focusedKey && keys.some((n) => n.key === this.focusedKey)) return this.focusedKey;
    if (this.selectedKey && keys.some((n) => n.key === this.selectedKey)) return this.selectedKey;
    return keys[0]?.key ?? null;
  }

  find(key: string): TreeNode<D> | null {
    const stack = [...this.roots];
    while (stack.length) {
      const n = stack.pop()!;
      if (n.key === key) return n;
      if (n.children) stack.push(...n.children);
    }
    return null;
  }

  setRoots(nodes: TreeNode<D>[]): void {
    this.roots = this.#reconcile(null, this.roots, nodes);
  }

  async expand(node: TreeNode<D>): Promise<void> {
    if (!node.loader) return;
    node.expanded = true;
    if (node.children === null && !node.loading) await this.load(node);
  }

  collapse(node: TreeNode<D>): void {
    node.expanded = false;
  }

  async toggle(node: TreeNode<D>): Promise<void> {
    if (node.expanded) this.collapse(node);
    else await this.expand(node);
  }

  /** (Re)loads a node's children, keeping the state of children that are still there. */
  async load(node: TreeNode<D>): Promise<void> {
    if (!node.loader) return;
    node.loading = true;
    try {
      const result = await node.loader();
      node.children = this.#withMore(node, this.#reconcile(node, node.children ?? [], result.nodes), result.more ?? null);
    } catch (err) {
      node.children = [this.#errorItem(node, errorMessage(err, `Loading ${node.label}`))];
    } finally {
      node.loading = false;
    }
  }

  /** Reloads every loaded, expanded node under `node` (and itself), top-down. */
  async reloadLoaded(node: TreeNode<D>): Promise<void> {
    if (node.children === null) return;
    await this.load(node);
    const kids = node.children ?? [];
    await Promise.all(kids.filter((k) => k.expanded && k.children !== null).map((k) => this.reloadLoaded(k)));
  }

  /** Adds a child the loader's page did not include (e.g. opened from a table), before any "more" item. */
  insertChild(parent: TreeNode<D>, child: TreeNode<D>): TreeNode<D> {
    const existing = parent.children?.find((c) => c.key === child.key);
    if (existing) return existing;
    child.parent = parent;
    const kids = [...(parent.children ?? [])];
    const moreAt = kids.findIndex((k) => k.tone !== 'normal');
    kids.splice(moreAt === -1 ? kids.length : moreAt, 0, child);
    parent.children = kids;
    return child;
  }

  select(node: TreeNode<D>): void {
    this.focusedKey = node.key;
    if (node.action) {
      void node.action();
      return;
    }
    this.selectedKey = node.key;
    this.onselect?.(node);
  }

  /** Keyboard handling for the tree; returns true when the key was used. */
  handleKey(event: KeyboardEvent): boolean {
    const items = this.visible;
    const currentKey = this.tabStop;
    const index = items.findIndex((n) => n.key === currentKey);
    const current = items[index];
    if (!current) return false;
    const focus = (n: TreeNode<D> | undefined) => {
      if (n) this.focusedKey = n.key;
    };
    switch (event.key) {
      case 'ArrowDown':
        focus(items[index + 1]);
        return true;
      case 'ArrowUp':
        focus(items[index - 1]);
        return true;
      case 'Home':
        focus(items[0]);
        return true;
      case 'End':
        focus(items[items.length - 1]);
        return true;
      case 'ArrowRight':
        if (current.expandable && !current.expanded) void this.expand(current);
        else if (current.expanded && current.children?.[0]) focus(current.children[0]);
        return true;
      case 'ArrowLeft':
        if (current.expandable && current.expanded) this.collapse(current);
        else focus(current.parent ?? undefined);
        return true;
      case 'Enter':
      case ' ':
        this.select(current);
        return true;
      case '*':
        for (const sibling of current.parent?.children ?? this.roots) if (sibling.expandable) void this.expand(sibling);
        return true;
      default:
        if (event.key.length === 1 && !event.ctrlKey && !event.metaKey && !event.altKey && /\S/.test(event.key)) {
          this.typeAhead(event.key, performance.now());
          return true;
        }
        return false;
    }
  }

  /** Moves focus to the next visible item whose label starts with what was typed within the last half second. */
  typeAhead(char: string, now: number): void {
    this.#typed = now - this.#typedAt > 500 ? char : this.#typed + char;
    this.#typedAt = now;
    const items = this.visible;
    const from = items.findIndex((n) => n.key === this.tabStop);
    const prefix = this.#typed.toLowerCase();
    // A repeated single letter cycles through items starting with it.
    const repeated = prefix.length > 1 && [...prefix].every((c) => c === prefix[0]);
    const needle = repeated ? prefix[0]! : prefix;
    const startAt = this.#typed.length === 1 || repeated ? 1 : 0;
    for (let i = 0; i < items.length; i++) {
      const n = items[(from + startAt + i) % items.length]!;
      if (n.label.toLowerCase().startsWith(needle)) {
        this.focusedKey = n.key;
        return;
      }
    }
  }

  #reconcile(parent: TreeNode<D> | null, old: readonly TreeNode<D>[], next: readonly TreeNode<D>[]): TreeNode<D>[] {
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a lookup while reconciling, never kept
    const byKey = new Map(old.filter((n) => n.tone === 'normal').map((n) => [n.key, n]));
    return next.map((n) => {
      const kept = byKey.get(n.key);
      if (kept) {
        kept.label = n.label;
        kept.badge = n.badge;
        kept.data = n.data;
        return kept;
      }
      n.parent = parent;
      return n;
    });
  }

  #withMore(parent: TreeNode<D>, nodes: TreeNode<D>[], more: TreeLoad<D>['more']): TreeNode<D>[] {
    if (!more) return nodes;
    const item: TreeNode<D> = new TreeNode<D>({
      key: `${parent.key}/more:${nodes.length}`,
      label: more.label,
      tone: 'more',
      action: async () => {
        item.loading = true;
        try {
          const page = await more.load();
          const kids = (parent.children ?? []).filter((k) => k !== item);
          // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a lookup while appending, never kept
          const known = new Set(kids.map((k) => k.key));
          const added = page.nodes.filter((n) => !known.has(n.key));
          for (const n of added) n.parent = parent;
          parent.children = this.#withMore(parent, [...kids, ...added], page.more ?? null);
          const first = added[0];
          if (first) this.focusedKey = first.key;
        } catch (err) {
          item.label = `${more.label} — ${errorMessage(err)}`;
        } finally {
          item.loading = false;
        }
      },
    });
    item.parent = parent;
    return [...nodes, item];
  }

  #errorItem(parent: TreeNode<D>, message: string): TreeNode<D> {
    const item = new TreeNode<D>({
      key: `${parent.key}/error`,
      label: `${message} Press Enter to try again.`,
      tone: 'error',
      action: async () => {
        this.focusedKey = parent.key;
        await this.load(parent);
      },
    });
    item.parent = parent;
    return item;
  }
}
