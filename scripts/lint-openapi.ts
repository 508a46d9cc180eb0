/**
 * The second half of `npm run lint`: the OpenAPI document the server serves, held to Spectral's
 * `spectral:oas` ruleset, which must report nothing (API.md, Conventions). The app is built in this
 * process over a throwaway data dir and never listens; every finding is printed, and any finding fails.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { API_BASE, buildApp } from '../src-server/app.js';
import { openDatabase } from '../src-server/db/database.js';
import { Services } from '../src-server/services.js';

async function servedDocument(dataDir: string): Promise<string> {
  const db = openDatabase(path.join(dataDir, 'server.sqlite'));
  try {
    const app = await buildApp(new Services(db, dataDir));
    const res = await app.inject({ method: 'GET', url: `${API_BASE}/openapi.json` });
    await app.close();
    if (res.statusCode !== 200) throw new Error(`GET ${API_BASE}/openapi.json answered ${res.statusCode}`);
    return res.body;
  } finally {
    db.close();
  }
}

const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'lint-openapi-'));
try {
  const document = path.join(dir, 'openapi.json');
  const ruleset = path.join(dir, '.spectral.yaml');
  await fs.promises.writeFile(document, await servedDocument(dir));
  await fs.promises.writeFile(ruleset, 'extends: ["spectral:oas"]\n');
  const spectral = createRequire(import.meta.url).resolve('@stoplight/spectral-cli/dist/index.js');
  // --fail-severity hint: a warning or a hint fails as an error does, so "reports nothing" is what passes.
  const run = spawnSync(process.execPath, [spectral, 'lint', '--ruleset', ruleset, '--fail-severity', 'hint', '--quiet', document], { stdio: 'inherit' });
  process.exitCode = run.status ?? 1;
  if (run.status === 0) console.log('OpenAPI document: spectral:oas reports nothing.');
} finally {
  await fs.promises.rm(dir, { recursive: true, force: true });
}
