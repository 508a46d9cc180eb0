import type { DialogState } from '../dialogs/registry.js';
import type { Page } from '../pages/registry.js';

/** Where the user is beyond the tree: the page open on the right (until Back) and the one modal dialog. */
export class NavigationState {
  page = $state.raw<Page | null>(null);
  dialog = $state.raw<DialogState | null>(null);

  openPage(page: Page): void {
    this.page = page;
  }

  closePage(): void {
    this.page = null;
  }

  openDialog(dialog: DialogState): void {
    this.dialog = dialog;
  }

  closeDialog(): void {
    this.dialog = null;
  }
}
