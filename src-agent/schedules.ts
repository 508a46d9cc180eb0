/** Looking up this client's schedules and backups on the server, shared by backup, restore and run-due. */
import type { BackupSummary } from '../src-shared/api/agent.js';
import type { List } from '../src-shared/api/common.js';
import type { Schedule } from '../src-shared/api/schedules.js';
import type { ServerClient } from './server-client.js';

export async function listSchedules(api: ServerClient): Promise<Schedule[]> {
  return (await api.json<List<Schedule>>('GET', '/agent/schedules')).items;
}

/** The schedule called `name` (case-insensitively, as the server keeps names unique), or a helpful error. */
export async function findSchedule(api: ServerClient, name: string): Promise<Schedule> {
  const schedules = await listSchedules(api);
  const wanted = name.trim().toLowerCase();
  const found = schedules.find((s) => s.name.toLowerCase() === wanted);
  if (found) return found;
  const known = schedules.length ? `; this client has ${schedules.map((s) => `"${s.name}"`).join(', ')}` : '; this client has none yet';
  throw new Error(`no schedule named "${name}"${known} (create it with "schedule add --name ... --source ...")`);
}

/** The committed backups of a schedule, newest first (by commit time: what the next backup builds on). */
export async function listBackups(api: ServerClient, scheduleId: string): Promise<BackupSummary[]> {
  const { items } = await api.json<List<BackupSummary>>('GET', `/agent/schedules/${scheduleId}/backups`);
  // Sorted here rather than trusting the server's order: ISO-8601 UTC times sort as strings.
  return items.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
}

/** The newest committed backup of a schedule, or null when it has none. */
export async function latestBackup(api: ServerClient, scheduleId: string): Promise<BackupSummary | null> {
  return (await listBackups(api, scheduleId))[0] ?? null;
}
