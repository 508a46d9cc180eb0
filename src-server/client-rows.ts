import type { ClientMovedDetails } from '../src-shared/api/agent.js';
import { CLIENT_LIST, type BackupStatus, type Client, type ClientStatus } from '../src-shared/api/clients.js';
import { bool, listSource } from './store.js';

/** How a client is stored, how it goes on the wire, and how its lists are read. */
export interface ClientRow {
  id: string;
  customer_id: string | null;
  name: string;
  hostname: string;
  os: string;
  status: ClientStatus;
  trial: number;
  trial_expires_at: string | null;
  mcal_consumed: number;
  space_used: number;
  last_backup_at: string | null;
  last_backup_status: BackupStatus | null;
  created_at: string;
  /** Where a moved client lives now: the 410 CLIENT_MOVED details as JSON. */
  moved_to: string | null;
  /** The source server's id while the client is being seeded here (seed migration): hidden and counted nowhere. */
  incoming_from: string | null;
}

export const toClient = (r: ClientRow): Client => ({
  id: r.id,
  customerId: r.customer_id,
  name: r.name,
  hostname: r.hostname,
  os: r.os,
  status: r.status,
  trial: bool(r.trial),
  trialExpiresAt: r.trial_expires_at,
  mcalConsumed: bool(r.mcal_consumed),
  spaceUsed: r.space_used,
  lastBackupAt: r.last_backup_at,
  lastBackupStatus: r.last_backup_status,
  createdAt: r.created_at,
  movedTo: r.moved_to ? { url: (JSON.parse(r.moved_to) as ClientMovedDetails).server.url } : null,
});

export const COLUMNS = 'id, customer_id, name, hostname, os, status, trial, trial_expires_at, mcal_consumed, space_used, last_backup_at, last_backup_status, created_at, moved_to, incoming_from';
export const CLIENT_ROWS = listSource(CLIENT_LIST, {
  select: COLUMNS,
  from: 'clients',
  sort: {
    name: 'lower(name)',
    hostname: 'hostname',
    os: 'os',
    status: 'status',
    trial: 'trial',
    trialExpiresAt: 'trial_expires_at',
    spaceUsed: 'space_used',
    lastBackupAt: 'last_backup_at',
    lastBackupStatus: 'last_backup_status',
    createdAt: 'created_at',
  },
  search: { name: 'lower(name)', hostname: 'lower(hostname)' },
  tieBreak: 'id',
});
