import type { ComponentProps } from 'svelte';
import AuditLogPage from './AuditLogPage.svelte';
import ClientMigrationPage from './ClientMigrationPage.svelte';
import CustomerReplicationPage from './CustomerReplicationPage.svelte';
import DeleteCustomerPage from './DeleteCustomerPage.svelte';
import DeletedReportPage from './DeletedReportPage.svelte';
import InvoiceConfigurationPage from './InvoiceConfigurationPage.svelte';
import InvoicePlansPage from './InvoicePlansPage.svelte';
import InvoiceReportPage from './InvoiceReportPage.svelte';
import ReplicationManagementPage from './ReplicationManagementPage.svelte';
import SeedMigrationPage from './SeedMigrationPage.svelte';
import TrialSettingsPage from './TrialSettingsPage.svelte';

/** Every page that replaces the view on the right until the user goes back: kind → component. */
export const PAGES = {
  'delete-customer': DeleteCustomerPage,
  /** A customer's deleted report, or with `customer` null the trial clients'. */
  'deleted-report': DeletedReportPage,
  'trial-settings': TrialSettingsPage,
  'client-migration': ClientMigrationPage,
  'audit-log': AuditLogPage,
  /** A customer's Edit Replication: its mode, its own configuration, Replicate Now and each replica's state. */
  'customer-replication': CustomerReplicationPage,
  /** The server's global replication and every customer's replication state. */
  'replication-management': ReplicationManagementPage,
  /** Seed Backup Migration: chosen clients with their backups to another server of the console. */
  'seed-migration': SeedMigrationPage,
  /** The server's invoice plans: create, copy, edit, delete (administrators; resellers read them). */
  'invoice-plans': InvoicePlansPage,
  /** A customer's invoice configuration with a live example of what this month would cost. */
  'invoice-config': InvoiceConfigurationPage,
  /** A customer's invoices, or with `customer` null every customer's; each opens in the invoice view. */
  'invoice-report': InvoiceReportPage,
};

export type PageKind = keyof typeof PAGES;

/** An open page: its kind and its component's props. */
export type Page = { [K in PageKind]: { kind: K } & ComponentProps<(typeof PAGES)[K]> }[PageKind];
