import type { ComponentProps } from 'svelte';
import AboutDialog from './AboutDialog.svelte';
import AddClientsDialog from './AddClientsDialog.svelte';
import BulkClientsDialog from './BulkClientsDialog.svelte';
import BulkCustomersDialog from './BulkCustomersDialog.svelte';
import ClearCacheDialog from './ClearCacheDialog.svelte';
import CustomerFormDialog from './CustomerFormDialog.svelte';
import DeleteScheduleDialog from './DeleteScheduleDialog.svelte';
import InvoiceCreditNoteDialog from './InvoiceCreditNoteDialog.svelte';
import InvoiceGenerateDialog from './InvoiceGenerateDialog.svelte';
import RemoveServerDialog from './RemoveServerDialog.svelte';
import ServerFormDialog from './ServerFormDialog.svelte';

/** Every modal dialog: kind → component. Each takes `onclose`, which the dialog host supplies. */
export const DIALOGS = {
  'customer-form': CustomerFormDialog,
  'add-clients': AddClientsDialog,
  'server-form': ServerFormDialog,
  'remove-server': RemoveServerDialog,
  'bulk-customers': BulkCustomersDialog,
  'bulk-clients': BulkClientsDialog,
  'delete-schedule': DeleteScheduleDialog,
  'clear-cache': ClearCacheDialog,
  'invoice-generate': InvoiceGenerateDialog,
  'invoice-credit-note': InvoiceCreditNoteDialog,
  about: AboutDialog,
};

export type DialogKind = keyof typeof DIALOGS;

/** The one modal dialog open: its kind and its component's props but `onclose`. */
export type DialogState = { [K in DialogKind]: { kind: K } & Omit<ComponentProps<(typeof DIALOGS)[K]>, 'onclose'> }[DialogKind];
