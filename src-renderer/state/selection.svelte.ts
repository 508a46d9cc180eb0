/* eslint-disable svelte/prefer-svelte-reactivity -- the sets are values: each change makes a new one for the $state.raw field */

/** Which rows of a table are checked for bulk work, by row id. Immutable sets: cheap to read, cheap to compare. */
export class Selection {
  ids = $state.raw<ReadonlySet<string>>(new Set());

  get size(): number {
    return this.ids.size;
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  toggle(id: string, on = !this.ids.has(id)): void {
    if (on === this.ids.has(id)) return;
    const next = new Set(this.ids);
    if (on) next.add(id);
    else next.delete(id);
    this.ids = next;
  }

  set(ids: Iterable<string>): void {
    this.ids = new Set(ids);
  }

  clear(): void {
    if (this.ids.size > 0) this.ids = new Set();
  }

  /** Drops ids that are no longer among the rows (after a reload or delete). */
  retain(valid: Iterable<string>): void {
    if (this.ids.size === 0) return;
    const keep = new Set<string>();
    for (const id of valid) if (this.ids.has(id)) keep.add(id);
    if (keep.size !== this.ids.size) this.ids = keep;
  }
}
