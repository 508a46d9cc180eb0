/**
 * "Make available offline": fetches a customer's whole subtree into the offline cache — the customer,
 * its clients, each client's schedules, each schedule's backup, restore and deleted reports, and the
 * customer's deleted report. Lists are fetched whole and cached as one entry each, so offline every
 * filter, sort and page of them can be answered (list-query.ts).
 *
 * The tree is discovered as it is walked, so `total` grows while `done` catches up.
 */
import type { Client } from '../../src-shared/api/clients.js';
import { Customer } from '../../src-shared/api/customers.js';
import type { Schedule } from '../../src-shared/api/schedules.js';
import { mapSettled } from './concurrency.js';
import type { ServerConnection } from './server-connection.js';
import { BackupReportList, ClientList, DeletedReportList, RestoreReportList, ScheduleList } from './wire.js';

export interface PrefetchProgress {
  label: string;
  done: number;
  total: number;
}

/** Requests in flight for one prefetch: enough to hide latency, few enough to leave the server to others. */
const CONCURRENCY = 4;

/** Throws the first failure of a batch: a subtree with holes must not be reported as available offline. */
function firstFailure<T>(results: PromiseSettledResult<T>[]): T[] {
  const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((result) => (result as PromiseFulfilledResult<T>).value);
}

export async function prefetchCustomer(connection: ServerConnection, customerId: string, progress: (state: PrefetchProgress) => void): Promise<void> {
  const state: PrefetchProgress = { label: 'Making a customer available offline', done: 0, total: 3 };
  const step = async <T>(work: Promise<T>): Promise<T> => {
    const result = await work;
    state.done++;
    progress(state);
    return result;
  };
  const id = encodeURIComponent(customerId);
  progress(state);

  const customer = await step(connection.fetch(`/customers/${id}`, Customer));
  state.label = `Making "${customer.name}" available offline`;
  const [clients] = await Promise.all([
    step(connection.fetchAll<Client>(`/customers/${id}/clients`, ClientList)),
    step(connection.fetchAll(`/customers/${id}/reports/deleted`, DeletedReportList)),
  ]);

  state.total += clients.items.length;
  const schedules = firstFailure(
    await mapSettled(clients.items, CONCURRENCY, (client) => step(connection.fetchAll<Schedule>(`/clients/${encodeURIComponent(client.id)}/schedules`, ScheduleList))),
  ).flatMap((list) => list.items);

  state.total += schedules.length * 3;
  const reports = schedules.flatMap((schedule) => {
    const base = `/schedules/${encodeURIComponent(schedule.id)}/reports`;
    return [
      { path: `${base}/backup`, schema: BackupReportList },
      { path: `${base}/restore`, schema: RestoreReportList },
      { path: `${base}/deleted`, schema: DeletedReportList },
    ];
  });
  firstFailure(await mapSettled(reports, CONCURRENCY, (report) => step(connection.fetchAll(report.path, report.schema))));
}
