import { AUDIT_LIST, type AuditEntry, type AuditQuery } from '../src-shared/api/audit.js';
import type { List } from '../src-shared/api/common.js';
import type { Principal } from './auth.js';
import { listSource, nowIso, type Store } from './store.js';

type Snapshot = Record<string, unknown> | null;

/** Field names whose values never enter the audit log. */
const SECRET_FIELDS = /password|token|key|secret/i;

const redact = (snapshot: Snapshot): string | null => {
  if (!snapshot) return null;
  const clean: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(snapshot)) clean[k] = SECRET_FIELDS.test(k) ? '(changed)' : v;
  return JSON.stringify(clean);
};

export interface AuditRecord {
  action: string;
  objectType: string;
  objectId: string;
  objectName: string;
  /** The reseller the object belongs to; a reseller sees only entries about its own objects. */
  resellerId: string | null;
  before?: Snapshot;
  after?: Snapshot;
}

interface AuditRow {
  seq: number;
  at: string;
  actor: string;
  role: 'admin' | 'reseller';
  action: string;
  object_type: string;
  object_id: string;
  object_name: string;
  before: string | null;
  after: string | null;
}

export const AUDIT_ROWS = listSource(AUDIT_LIST, {
  select: '*',
  from: 'audit_log',
  sort: { at: 'seq' },
  search: { objectName: 'lower(object_name)', actor: 'lower(actor)', action: 'lower(action)' },
  tieBreak: 'seq',
});

export class AuditLog {
  constructor(private readonly store: Store) {}

  /** Call inside the `store.write` that makes the change, so the entry and the change commit together. */
  record(actor: Principal, entry: AuditRecord): void {
    this.store.run(
      `INSERT INTO audit_log (at, actor, role, reseller_id, action, object_type, object_id, object_name, before, after)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      nowIso(),
      actor.username,
      actor.role,
      entry.resellerId,
      entry.action,
      entry.objectType,
      entry.objectId,
      entry.objectName,
      redact(entry.before ?? null),
      redact(entry.after ?? null),
    );
  }

  list(principal: Principal, query: AuditQuery): List<AuditEntry> {
    const where = principal.role === 'admin' ? '1' : 'reseller_id = ?';
    const params = principal.role === 'admin' ? [] : [principal.resellerId];
    return this.store.list<AuditRow, AuditEntry>(
      { ...AUDIT_ROWS, where, params },
      { offset: query.offset, limit: query.limit, q: query.q },
      (r) => ({
        id: String(r.seq),
        at: r.at,
        actor: r.actor,
        role: r.role,
        action: r.action,
        objectType: r.object_type,
        objectId: r.object_id,
        objectName: r.object_name,
        before: r.before ? (JSON.parse(r.before) as Record<string, unknown>) : null,
        after: r.after ? (JSON.parse(r.after) as Record<string, unknown>) : null,
      }),
    );
  }
}

