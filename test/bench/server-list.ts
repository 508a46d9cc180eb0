// Issue 2 benchmark: a customer list page (limit 100, sorted by spaceUsed, with a q filter) on a server
// holding 20,000 customers under one reseller and 200,000 clients, under 50 concurrent connections,
// side by side with a bare Fastify route serving the same page from memory (the ceiling).
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon, { type Request, type Result } from 'autocannon';
import { openDatabase } from '../../src-server/db/database.js';
import { bootstrap } from '../../src-server/bootstrap.js';
import { Services } from '../../src-server/services.js';
import { nameKey, newId, nowIso } from '../../src-server/store.js';
import { ADMIN_PASSWORD, removeDir, startServer, tempDir } from '../support/server-process.js';
import { TestClient } from '../support/api-client.js';
import { ms, perSecond, printTable } from './format.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const CUSTOMERS = 20_000;
const CLIENTS_PER_CUSTOMER = 10;
const CONNECTIONS = 50;
const DURATION_S = 10;
const WORDS = ['Acme', 'Blue', 'Cedar', 'Delta', 'Ever', 'Falcon', 'Granite', 'Harbor', 'Iron', 'Juniper', 'Key', 'Lake', 'Maple', 'North', 'Oak', 'Pine'];
const TRADES = ['Dental', 'Logistics', 'Law', 'Bakery', 'Motors', 'Architects', 'Clinic', 'Accounting', 'Printing', 'Realty', 'Pharmacy', 'Studio'];

/** Seeds `dataDir` with one reseller of 20,000 customers and 200,000 clients; resolves with the reseller's id. Shared with console-offline.ts. */
export async function seed(dataDir: string): Promise<string> {
  const db = openDatabase(path.join(dataDir, 'server.sqlite'));
  const s = new Services(db, dataDir);
  await bootstrap(s, { cloud: false, adminPassword: ADMIN_PASSWORD, mcals: 1_000_000 });
  const resellerId = newId('rsl');
  let x = 12345;
  const random = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32);
  s.store.write(() => {
    s.store.run('INSERT INTO resellers (id, name, name_key, created_at) VALUES (?, ?, ?, ?)', resellerId, 'Bench Reseller', 'bench reseller', nowIso());
    const customer = db.prepare(
      `INSERT INTO customers (id, reseller_id, name, name_key, email, mcals_used, space_used, client_count, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const client = db.prepare(
      `INSERT INTO clients (id, customer_id, name, hostname, os, status, mcal_consumed, space_used, created_at)
       VALUES (?, ?, ?, ?, 'Windows 11 Pro', 'authorized', 1, ?, ?)`,
    );
    for (let i = 0; i < CUSTOMERS; i++) {
      const id = newId('cus');
      const name = `${WORDS[i % WORDS.length]} ${TRADES[Math.floor(i / WORDS.length) % TRADES.length]} ${i}`;
      const spaces = Array.from({ length: CLIENTS_PER_CUSTOMER }, () => Math.floor(random() * 50 * 1024 ** 3));
      const space = spaces.reduce((a, b) => a + b, 0);
      customer.run(id, resellerId, name, nameKey(name), `it@c${i}.example`, CLIENTS_PER_CUSTOMER, space, CLIENTS_PER_CUSTOMER, nowIso());
      spaces.forEach((bytes, c) => client.run(newId('cli'), id, `PC-${c}`, `pc-${c}.example`, bytes, nowIso()));
    }
  });
  db.close();
  return resellerId;
}

async function startCeiling(pageFile: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(HERE, 'ceiling-server.ts'), pageFile], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve) => createInterface({ input: child.stdout! }).on('line', (l) => l.startsWith('listening ') && resolve(l.slice(10))));
  return { url, stop: () => child.kill('SIGTERM') };
}

async function load(url: string, headers: Record<string, string>, requests?: Request[]): Promise<Result> {
  await autocannon({ url, connections: CONNECTIONS, duration: 2, headers, requests }); // warm-up
  return autocannon({ url, connections: CONNECTIONS, duration: DURATION_S, headers, requests });
}

export async function benchServerList(): Promise<void> {
  const dataDir = await tempDir('bs-bench-');
  try {
    const seedStart = performance.now();
    const resellerId = await seed(dataDir);
    console.log(`seeded ${CUSTOMERS.toLocaleString('en-US')} customers and ${(CUSTOMERS * CLIENTS_PER_CUSTOMER).toLocaleString('en-US')} clients in ${ms(performance.now() - seedStart)}`);

    const server = await startServer({ dataDir });
    const client = await new TestClient(server.api).login();
    const listPath = (q: string) => `/api/v1/resellers/${resellerId}/customers?limit=100&sort=-spaceUsed&q=${encodeURIComponent(q)}`;
    const page = await client.get<{ total: number }>(listPath('dental').slice('/api/v1'.length));
    const pageFile = path.join(dataDir, 'page.json');
    await writeFile(pageFile, JSON.stringify(page.body));
    const ceiling = await startCeiling(pageFile);

    const auth = { authorization: `Bearer ${client.token}` };
    const distinct: Request[] = [];
    for (let n = 0; n < 4000; n++) distinct.push({ method: 'GET', path: listPath(`${TRADES[n % TRADES.length]} ${n}`) });
    const runs: [string, Result][] = [
      ['ceiling: bare Fastify, same page from memory', await load(`${ceiling.url}/page`, {})],
      [`customers list, q="dental" (${page.body.total} matches)`, await load(`${server.url}${listPath('dental')}`, auth)],
      ['customers list, 4,000 distinct q (list cache misses)', await load(server.url, auth, distinct)],
      [`customers list, q="a" (matches nearly all)`, await load(`${server.url}${listPath('a')}`, auth)],
    ];
    ceiling.stop();
    await server.stop();

    const ceilingRps = runs[0]![1].requests.average;
    printTable(
      `Customer list page under ${CONNECTIONS} connections, ${DURATION_S} s each (target: p99 < 25 ms, >= 50% of the ceiling's requests/s)`,
      ['run', 'p50', 'p99', 'requests', '% of ceiling', 'non-2xx'],
      runs.map(([name, r]) => [name, ms(r.latency.p50), ms(r.latency.p99), perSecond(r.requests.average), `${Math.round((100 * r.requests.average) / ceilingRps)}%`, r.non2xx + r.errors]),
    );
  } finally {
    await removeDir(dataDir);
  }
}
