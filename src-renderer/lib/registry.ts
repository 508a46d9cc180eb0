import type { Component } from 'svelte';

/**
 * A registry maps each kind of a tagged union (pages, dialogs, tree items) to the component that shows it.
 * The union is derived from the registry (or checked against it), so each kind's component takes exactly
 * that kind's fields as props.
 */
export type ComponentRegistry = Record<string, Component<never>>;

/** The component of `value.kind` and the props to draw it with (everything but the kind). */
export function resolve<U extends { kind: string }>(registry: Record<U['kind'], unknown>, value: U): { component: Component<Record<string, unknown>>; props: Record<string, unknown> } {
  const { kind, ...props } = value;
  // Each kind's component takes that kind's fields; TypeScript cannot follow that pairing through an
  // index by a union-typed key, so the one cast lives here.
  return { component: registry[kind as U['kind']] as Component<Record<string, unknown>>, props };
}
