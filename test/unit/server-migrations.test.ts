import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src-server/db/database.js';
import { MIGRATIONS } from '../../src-server/db/migrations/index.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'bs-migrations-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A database made by a server of schema version `version`. */
function databaseAt(version: number): string {
  const file = path.join(dir, 'server.db');
  const db = new Database(file);
  for (const sql of MIGRATIONS.slice(0, version)) db.exec(sql);
  db.pragma(`user_version = ${version}`);
  db.close();
  return file;
}

describe('schema migrations', () => {
  it('3: per-backup chunk references become per-schedule ones, counted per owner', () => {
    const file = databaseAt(2);
    const old = new Database(file);
    const at = '2026-01-01T00:00:00.000Z';
    old.exec(`
      INSERT INTO resellers (id, name, name_key, created_at) VALUES ('r', 'R', 'r', '${at}');
      INSERT INTO customers (id, reseller_id, name, name_key, created_at) VALUES ('cu1', 'r', 'A', 'a', '${at}'), ('cu2', 'r', 'B', 'b', '${at}');
      INSERT INTO clients (id, customer_id, name, status, created_at) VALUES ('c1', 'cu1', 'one', 'authorized', '${at}'), ('c2', 'cu1', 'two', 'authorized', '${at}'), ('c3', 'cu2', 'three', 'authorized', '${at}');
      INSERT INTO schedules (id, client_id, name, sources, frequency, created_at) VALUES
        ('s1', 'c1', 'files', '[]', '{}', '${at}'), ('s2', 'c2', 'files', '[]', '{}', '${at}'), ('s3', 'c3', 'files', '[]', '{}', '${at}');
      INSERT INTO backups (id, schedule_id, created_at) VALUES ('b1', 's1', '${at}'), ('b2', 's1', '${at}'), ('b3', 's2', '${at}'), ('b4', 's3', '${at}');
      INSERT INTO packs (id, owner, bytes, created_at) VALUES ('p1', 'cu1', 30, '${at}'), ('p2', 'cu2', 10, '${at}');
      INSERT INTO chunks (owner, hash, pack_id, offset, length, schedule_id, refs, created_at) VALUES
        ('cu1', 'x', 'p1', 0, 10, 's1', 3, '${at}'), ('cu1', 'y', 'p1', 10, 10, 's1', 1, '${at}'), ('cu1', 'z', 'p1', 20, 10, 's1', 0, '${at}'),
        ('cu2', 'x', 'p2', 0, 10, 's3', 1, '${at}');
      INSERT INTO backup_chunks (backup_id, hash) VALUES ('b1', 'x'), ('b1', 'y'), ('b2', 'x'), ('b3', 'x'), ('b4', 'x');
    `);
    old.close();

    const db = openDatabase(file);
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
      expect(db.prepare('SELECT schedule_id, hash FROM schedule_chunks ORDER BY schedule_id, hash').all()).toEqual([
        { schedule_id: 's1', hash: 'x' },
        { schedule_id: 's1', hash: 'y' },
        { schedule_id: 's2', hash: 'x' },
        { schedule_id: 's3', hash: 'x' },
      ]);
      // x: two schedules of cu1 (s1's two backups count once); z: uploaded by a run that never committed.
      expect(db.prepare('SELECT owner, hash, refs FROM chunks ORDER BY owner, hash').all()).toEqual([
        { owner: 'cu1', hash: 'x', refs: 2 },
        { owner: 'cu1', hash: 'y', refs: 1 },
        { owner: 'cu1', hash: 'z', refs: 0 },
        { owner: 'cu2', hash: 'x', refs: 1 },
      ]);
      expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'backup_chunks'").get()).toBeUndefined();
    } finally {
      db.close();
    }
  });

  it('refuses a database newer than the server', () => {
    const file = databaseAt(MIGRATIONS.length);
    const db = new Database(file);
    db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    db.close();
    expect(() => openDatabase(file)).toThrow(/newer than this server/);
  });
});
