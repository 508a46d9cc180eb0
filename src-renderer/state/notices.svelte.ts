export interface Notice {
  id: number;
  kind: 'info' | 'error';
  text: string;
}

/** How long a piece of news stays on the status line; errors stay until dismissed. */
const INFO_MS = 10_000;
/** Older notices drop off: the status line shows the latest, the error strip the last three. */
const KEEP = 10;

/** The console's messages to the user: news on the status line, errors until dismissed. */
export class NoticesState {
  list = $state<Notice[]>([]);
  #seq = 0;

  notify(text: string, kind: Notice['kind'] = 'info'): void {
    const id = ++this.#seq;
    this.list = [...this.list.slice(-(KEEP - 1)), { id, kind, text }];
    if (kind === 'info') setTimeout(() => this.dismiss(id), INFO_MS);
  }

  dismiss(id: number): void {
    this.list = this.list.filter((n) => n.id !== id);
  }
}
