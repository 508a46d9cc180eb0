import type { Frequency } from '../src-shared/api/schedules.js';
import { hashPassword } from './auth.js';
import { seedDemoInvoicing } from './demo-invoicing.js';
import { nextRunAt } from './schedules.js';
import type { Services } from './services.js';
import { nameKey, newId, nowIso } from './store.js';

/** Demo reseller logins share one documented password: the demo server only ever listens on loopback. */
export const DEMO_RESELLER_PASSWORD = 'reseller-demo';

const DAY_MS = 24 * 60 * 60 * 1000;
const GIB = 1024 ** 3;
const RESELLERS = ['Northwind IT', 'Contoso Managed Services', 'Fabrikam Cloud'];
const PREFIXES = ['Acme', 'Blue Ridge', 'Cedar', 'Delta', 'Evergreen', 'Falcon', 'Granite', 'Harbor', 'Ironwood', 'Juniper', 'Keystone', 'Lakeside'];
const SUFFIXES = ['Dental', 'Logistics', 'Law Group', 'Bakery', 'Motors', 'Architects', 'Clinic', 'Accounting', 'Printing', 'Realty', 'Pharmacy', 'Studio'];
const HOSTS = ['FRONTDESK', 'ACCOUNTS', 'SERVER', 'LAPTOP', 'NAS', 'WORKSTATION'];
const OSES = ['Windows 11 Pro', 'Windows Server 2022', 'Ubuntu 24.04', 'macOS 15', 'Debian 12'];
const SOURCES = [['C:/Users'], ['D:/Data', 'C:/Shares'], ['/home'], ['/var/www', '/etc'], ['/Users']];

/** A small seeded PRNG (mulberry32): the demo is the same on every machine and every run. */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface DemoSummary {
  resellers: number;
  customers: number;
  clients: number;
}

/**
 * Fills an empty server with a realistic data set: resellers with logins, customers in every state the
 * console shows (allotted or pooled MCALs, inactive, manual authorization, near quota), authorized, pending
 * and trial clients, schedules, 90 days of backup, restore and deleted reports, and invoice plans, invoice
 * configurations and months of usage samples that agree with those reports (demo-invoicing.ts). All counters are
 * derived from the rows inserted, exactly as real backups would leave them. Returns null when the server
 * already has customers.
 */
export async function seedDemo(s: Services, now = Date.now()): Promise<DemoSummary | null> {
  if (s.store.get('SELECT 1 FROM customers LIMIT 1')) return null;
  const random = rng(20261128);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const passwordHash = await hashPassword(DEMO_RESELLER_PASSWORD);
  const run = (sql: string, ...params: unknown[]) => s.store.run(sql, ...params);
  const iso = (at: number) => nowIso(Math.round(at));
  let customers = 0;
  let clients = 0;

  s.store.write(() => {
    s.settings.set('resellerManagement', true);
    s.settings.set('mcalPoolTotal', Math.max(s.settings.get('mcalPoolTotal'), 1000));
    const resellerIds = RESELLERS.map((name) => {
      const id = newId('rsl');
      run('INSERT INTO resellers (id, name, name_key, email, created_at) VALUES (?, ?, ?, ?, ?)', id, name, nameKey(name), `billing@${name.split(' ')[0]!.toLowerCase()}.example`, iso(now - 400 * DAY_MS));
      s.auth.createUser(name, passwordHash, 'reseller', id);
      return id;
    });

    resellerIds.forEach((resellerId, r) => {
      for (let i = 0; i < 22; i++) {
        const name = `${PREFIXES[(i + r * 5) % PREFIXES.length]} ${SUFFIXES[(i * 7 + r) % SUFFIXES.length]}${i >= 12 ? ` ${i - 11}` : ''}`;
        const customerId = newId('cus');
        const clientCount = 3 + Math.floor(random() * 4);
        const allotted = i % 3 === 0 ? clientCount + 2 : null;
        const inactive = r === 0 && i === 1;
        const manualAuthorization = r === 0 && i === 2;
        const nearQuota = r === 0 && i === 3;
        let spaceUsed = 0;
        let mcalsUsed = 0;
        run(
          `INSERT INTO customers (id, reseller_id, name, name_key, email, mcals_allotted, auto_authorization, active, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          customerId,
          resellerId,
          name,
          nameKey(name),
          `it@${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.example`,
          allotted,
          manualAuthorization ? 0 : 1,
          inactive ? 0 : 1,
          iso(now - (300 - i) * DAY_MS),
        );
        for (let c = 0; c < clientCount; c++) {
          const pending = (manualAuthorization && c < 2) || (c === clientCount - 1 && i % 5 === 4);
          spaceUsed += seedClient(customerId, `${pick(HOSTS)}-${String(c + 1).padStart(2, '0')}`, pending);
          if (!pending) mcalsUsed++;
          clients++;
        }
        // Deleted report history: a machine retired a few weeks ago.
        if (i % 4 === 0) {
          run(
            `INSERT INTO deleted_reports (id, reseller_id, customer_id, client_id, deleted_at, deleted_by, kind, client_name, bytes, reason)
             VALUES (?, ?, ?, ?, ?, 'admin', 'client', ?, ?, 'client deleted')`,
            newId('del'),
            resellerId,
            customerId,
            newId('cli'),
            iso(now - (10 + i) * DAY_MS),
            `OLD-PC-${i}`,
            Math.round(random() * 20 * GIB),
          );
        }
        const spaceAllotted = nearQuota ? Math.ceil(spaceUsed / 0.95) : i % 2 === 0 ? Math.max(spaceUsed * 2, 100 * GIB) : null;
        run(
          'UPDATE customers SET space_used = ?, space_allotted = ?, mcals_used = ?, client_count = ? WHERE id = ?',
          spaceUsed,
          spaceAllotted,
          mcalsUsed,
          clientCount,
          customerId,
        );
        customers++;
      }
    });
    for (let t = 0; t < 12; t++) {
      seedClient(null, `TRIAL-${String(t + 1).padStart(2, '0')}`, false);
      clients++;
    }
    seedDemoInvoicing(s, now);
  });
  return { resellers: RESELLERS.length, customers, clients };

  /** One client with one or two schedules and their history; returns the bytes it stores. */
  function seedClient(customerId: string | null, name: string, pending: boolean): number {
    const clientId = newId('cli');
    const trial = customerId === null;
    const createdAt = now - (trial ? 5 + random() * 20 : 90 + random() * 200) * DAY_MS;
    const trialDays = s.settings.get('trial').trialDays;
    run(
      `INSERT INTO clients (id, customer_id, name, hostname, os, status, trial, trial_expires_at, mcal_consumed, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      clientId,
      customerId,
      name,
      `${name.toLowerCase()}.corp.example`,
      pick(OSES),
      pending ? 'pending' : 'authorized',
      trial ? 1 : 0,
      trial ? iso(createdAt + trialDays * DAY_MS) : null,
      pending || trial ? 0 : 1,
      iso(createdAt),
    );
    if (pending) return 0;
    let clientSpace = 0;
    let last: { at: string; status: string } | null = null;
    const scheduleCount = 1 + Math.floor(random() * 2);
    for (let k = 0; k < scheduleCount; k++) {
      const scheduleId = newId('sch');
      const frequency: Frequency =
        k === 0 ? { kind: 'daily', at: `${String(18 + Math.floor(random() * 5)).padStart(2, '0')}:00` } : { kind: 'weekly', days: ['sat'], at: '02:30' };
      const days = Math.min(90, Math.floor((now - createdAt) / DAY_MS));
      const step = frequency.kind === 'daily' ? 1 : 7;
      const fullSize = Math.round((0.5 + random() * 40) * GIB);
      let stored = 0;
      let lastRun: { at: string; status: 'success' | 'partial' | 'failed' } | null = null;
      const enabled = !(k === 1 && random() < 0.2);
      run(
        'INSERT INTO schedules (id, client_id, name, sources, frequency, enabled, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        scheduleId,
        clientId,
        k === 0 ? 'Daily files' : 'Weekly full system',
        JSON.stringify(pick(SOURCES)),
        JSON.stringify(frequency),
        enabled ? 1 : 0,
        iso(createdAt),
      );
      for (let d = days; d >= 1; d -= step) {
        const started = now - d * DAY_MS + random() * 3600_000;
        const roll = random();
        const status = roll < 0.9 ? 'success' : roll < 0.96 ? 'partial' : 'failed';
        const files = 2000 + Math.floor(random() * 50000);
        const uploaded = lastRun === null ? fullSize : Math.round(fullSize * random() * 0.03);
        const finished = started + (lastRun === null ? 3 : 0.2 + random()) * 3600_000;
        run(
          `INSERT INTO backup_reports (id, schedule_id, started_at, finished_at, status, files_scanned, files_uploaded, bytes_scanned, bytes_uploaded, error)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          newId('bkr'),
          scheduleId,
          iso(started),
          iso(finished),
          status,
          files,
          status === 'failed' ? 0 : Math.floor(files * random() * 0.05),
          fullSize,
          status === 'failed' ? 0 : uploaded,
          status === 'failed' ? 'The network path was not found (source unavailable).' : status === 'partial' ? '3 files were locked by another process and skipped.' : null,
        );
        if (status !== 'failed') {
          stored += uploaded;
          if (d <= 30) run('INSERT INTO backups (id, schedule_id, created_at, files, bytes) VALUES (?, ?, ?, ?, ?)', newId('bak'), scheduleId, iso(finished), files, fullSize);
        }
        lastRun = { at: iso(started), status };
        if (d % 37 === 0) {
          run(
            `INSERT INTO restore_reports (id, schedule_id, started_at, finished_at, status, files, bytes, target, error)
             VALUES (?, ?, ?, ?, 'success', ?, ?, ?, NULL)`,
            newId('rsr'),
            scheduleId,
            iso(started + 6 * 3600_000),
            iso(started + 7 * 3600_000),
            Math.floor(random() * 300),
            Math.round(random() * GIB),
            `/restore/${name.toLowerCase()}`,
          );
        }
      }
      run(
        'UPDATE schedules SET last_run_at = ?, last_status = ?, next_run_at = ?, space_used = ? WHERE id = ?',
        lastRun?.at ?? null,
        lastRun?.status ?? null,
        nextRunAt(frequency, enabled, lastRun?.at ?? null, iso(createdAt)),
        stored,
        scheduleId,
      );
      clientSpace += stored;
      if (lastRun && (!last || lastRun.at > last.at)) last = lastRun;
    }
    run('UPDATE clients SET space_used = ?, last_backup_at = ?, last_backup_status = ? WHERE id = ?', clientSpace, last?.at ?? null, last?.status ?? null, clientId);
    return clientSpace;
  }
}
