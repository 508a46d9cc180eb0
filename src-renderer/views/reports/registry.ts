import type { Component } from 'svelte';
import type { ReportKind } from '../../state/nodes.js';
import BackupReportTable from './BackupReportTable.svelte';
import DeletedReportTable from './DeletedReportTable.svelte';
import RestoreReportTable from './RestoreReportTable.svelte';

/** What every report table of a schedule takes. */
export interface ReportTableProps {
  serverId: string;
  owner: { scheduleId: string };
  /** The table's accessible name. */
  label: string;
}

/** The table of each kind of a schedule's reports: kind → component. */
export const REPORT_TABLES = {
  backup: BackupReportTable,
  restore: RestoreReportTable,
  deleted: DeletedReportTable,
} satisfies Record<ReportKind, Component<ReportTableProps>>;
