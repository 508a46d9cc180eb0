import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, test } from 'vitest';
import Tree from '../../../src-renderer/components/Tree.svelte';
import { TreeModel, TreeNode, type TreeLoad } from '../../../src-renderer/state/tree.svelte.js';
import { settle } from './helpers.js';

type D = { name: string };

/** A tree: Alpha (→ Apple, Avocado (→ Seed)), Beta (leaf), Gamma (→ children that fail to load once). */
function build() {
  const loads: string[] = [];
  const leaf = (key: string, label: string) => new TreeNode<D>({ key, label, data: { name: label } });
  const branch = (key: string, label: string, kids: () => TreeNode<D>[]) =>
    new TreeNode<D>({
      key,
      label,
      data: { name: label },
      loader: async (): Promise<TreeLoad<D>> => {
        loads.push(key);
        return { nodes: kids() };
      },
    });
  let gammaFails = true;
  const model = new TreeModel<D>();
  const selected: string[] = [];
  model.onselect = (n) => selected.push(n.key);
  model.setRoots([
    branch('a', 'Alpha', () => [leaf('a/1', 'Apple'), branch('a/2', 'Avocado', () => [leaf('a/2/1', 'Seed')])]),
    leaf('b', 'Beta'),
    new TreeNode<D>({
      key: 'g',
      label: 'Gamma',
      data: { name: 'Gamma' },
      loader: async () => {
        loads.push('g');
        if (gammaFails) {
          gammaFails = false;
          throw Object.assign(new Error('The server cannot be reached.'), { code: 'OFFLINE' });
        }
        return { nodes: [leaf('g/1', 'Gizmo')] };
      },
    }),
  ]);
  return { model, loads, selected };
}

function focused(): string | null | undefined {
  return document.activeElement?.getAttribute('aria-labelledby') ? document.activeElement.querySelector('.label')?.textContent : null;
}

async function key(k: string) {
  await fireEvent.keyDown(document.activeElement!, { key: k });
  await settle();
}

describe('Tree', () => {
  test('is an ARIA tree with one tab stop, lazily loaded children and the arrow-key pattern', async () => {
    const { model, loads, selected } = build();
    render(Tree<D>, { props: { model, label: 'Servers' } });
    expect(screen.getByRole('tree', { name: 'Servers' })).toBeTruthy();
    const items = () => screen.getAllByRole('treeitem');
    expect(items().map((i) => i.getAttribute('aria-level'))).toEqual(['1', '1', '1']);
    // Roving tabindex: exactly one item is in the tab order.
    expect(items().filter((i) => i.tabIndex === 0)).toHaveLength(1);
    const alpha = screen.getByRole('treeitem', { name: 'Alpha' });
    expect(alpha.getAttribute('aria-expanded')).toBe('false');
    expect(screen.getByRole('treeitem', { name: 'Beta' }).hasAttribute('aria-expanded')).toBe(false);
    expect(loads).toEqual([]);

    alpha.focus();
    await key('ArrowRight'); // expands, loading children now
    expect(loads).toEqual(['a']);
    expect(alpha.getAttribute('aria-expanded')).toBe('true');
    expect(screen.getByRole('group')).toBeTruthy();
    expect(focused()).toBe('Alpha');
    await key('ArrowRight'); // into the first child
    expect(focused()).toBe('Apple');
    expect(screen.getByRole('treeitem', { name: 'Apple' }).getAttribute('aria-level')).toBe('2');
    await key('ArrowDown');
    expect(focused()).toBe('Avocado');
    await key('ArrowDown');
    expect(focused()).toBe('Beta');
    await key('ArrowUp');
    await key('ArrowUp');
    expect(focused()).toBe('Apple');
    await key('ArrowLeft'); // to the parent
    expect(focused()).toBe('Alpha');
    await key('ArrowLeft'); // collapses
    expect(alpha.getAttribute('aria-expanded')).toBe('false');
    await key('End');
    expect(focused()).toBe('Gamma');
    await key('Home');
    expect(focused()).toBe('Alpha');
    expect(items().filter((i) => i.tabIndex === 0)).toHaveLength(1);

    // Enter selects (aria-selected) without moving focus elsewhere.
    await key('ArrowDown');
    await key('Enter');
    expect(selected).toEqual(['b']);
    expect(screen.getByRole('treeitem', { name: 'Beta' }).getAttribute('aria-selected')).toBe('true');
    expect(alpha.getAttribute('aria-selected')).toBe('false');
    // Re-expanding does not load again.
    await key('Home');
    await key('ArrowRight');
    expect(loads).toEqual(['a']);
  });

  test('type-ahead moves to the next item starting with the typed letters', async () => {
    const { model } = build();
    render(Tree<D>, { props: { model, label: 'Servers' } });
    screen.getByRole('treeitem', { name: 'Alpha' }).focus();
    await key('g');
    expect(focused()).toBe('Gamma');
    const t = performance.now() + 1e7;
    // Within half a second letters build one prefix ("gb" matches nothing: focus stays).
    model.typeAhead('b', t);
    await settle();
    expect(focused()).toBe('Beta');
    model.typeAhead('x', t + 100);
    await settle();
    expect(focused()).toBe('Beta');
    // Later, typing fast builds a prefix: "a", "v" → Avocado once Alpha is open.
    await key('Home');
    await key('ArrowRight');
    model.typeAhead('a', t + 2000);
    model.typeAhead('v', t + 2000 + 100);
    await settle();
    expect(focused()).toBe('Avocado');
    // A new letter searches from the next item on, wrapping around; repeating it cycles.
    model.typeAhead('a', t + 4000);
    await settle();
    expect(focused()).toBe('Alpha');
    model.typeAhead('a', t + 4000 + 100);
    await settle();
    expect(focused()).toBe('Apple');
    model.typeAhead('a', t + 4000 + 200);
    await settle();
    expect(focused()).toBe('Avocado');
  });

  test('a failed load shows the error as an item; Enter on it retries', async () => {
    const { model, loads } = build();
    render(Tree<D>, { props: { model, label: 'Servers' } });
    screen.getByRole('treeitem', { name: 'Gamma' }).focus();
    await key('ArrowRight');
    const error = screen.getByRole('treeitem', { name: /cannot be reached.*Press Enter to try again/ });
    expect(error).toBeTruthy();
    await key('ArrowRight');
    await key('Enter');
    expect(loads).toEqual(['g', 'g']);
    expect(screen.getByRole('treeitem', { name: 'Gizmo' })).toBeTruthy();
  });

  test('clicking an item selects it; clicking the twisty only toggles', async () => {
    const { model, selected } = build();
    render(Tree<D>, { props: { model, label: 'Servers' } });
    const alpha = screen.getByRole('treeitem', { name: 'Alpha' });
    await fireEvent.click(alpha.querySelector('.twisty')!);
    await settle();
    expect(alpha.getAttribute('aria-expanded')).toBe('true');
    expect(selected).toEqual([]);
    await fireEvent.click(screen.getByText('Apple'));
    expect(selected).toEqual(['a/1']);
  });
});
