import type { ClientMovedDetails } from '../../src-shared/api/agent.js';
import type { Clients } from '../clients.js';
import { COLUMNS, type ClientRow } from '../client-rows.js';
import { ownerOf, type ChunkIndex } from '../dataplane/chunk-index.js';
import type { Store } from '../store.js';

/**
 * The source's last step of a client's seed migration, once the target holds the client: it is `moved`.
 * Its backups and the chunks only they used go (the bytes leave its schedules, itself and its customer),
 * its MCAL is freed, it leaves its customer's client count, and the deleted report records it with reason
 * `moved`. Its schedules and reports stay readable, and its agent token keeps working just far enough to
 * be told where the client went (410 CLIENT_MOVED). Call inside `store.write`.
 */
export function markMoved(store: Store, clients: Clients, chunks: ChunkIndex, clientId: string, movedTo: ClientMovedDetails, deletedBy: string): void {
  const row = store.get<ClientRow>(`SELECT ${COLUMNS} FROM clients WHERE id = ?`, clientId)!;
  if (row.status === 'moved') return;
  const schedules = store.all<{ id: string }>('SELECT id FROM schedules WHERE client_id = ?', clientId).map((s) => s.id);
  const owner = ownerOf(row);
  const packs = chunks.release(owner, new Set(schedules));
  const list = JSON.stringify(schedules);
  store.run('DELETE FROM schedule_chunks WHERE schedule_id IN (SELECT value FROM json_each(?))', list);
  store.run('DELETE FROM backups WHERE schedule_id IN (SELECT value FROM json_each(?))', list);
  clients.deletedReport(row, deletedBy, 'moved')({ kind: 'client', scheduleId: null, scheduleName: null, bytes: row.space_used });
  // Releasing took the chunks' bytes off the client and its customer (freed, or now counted against a
  // schedule of another client that uses them too); the client's other counts leave its customer now.
  const left = store.get<{ space_used: number }>('SELECT space_used FROM clients WHERE id = ?', clientId)!.space_used;
  if (row.customer_id) {
    store.run('UPDATE customers SET client_count = client_count - 1, mcals_used = mcals_used - ?, space_used = space_used - ? WHERE id = ?', row.mcal_consumed, left, row.customer_id);
  }
  store.run('UPDATE schedules SET space_used = 0 WHERE client_id = ?', clientId);
  store.run("UPDATE clients SET status = 'moved', moved_to = ?, mcal_consumed = 0, space_used = 0 WHERE id = ?", JSON.stringify(movedTo), clientId);
  chunks.compactLater(owner, packs);
}
