import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { buildApp } from './app.js';
import { bootstrap } from './bootstrap.js';
import { openDatabase } from './db/database.js';
import { seedDemo } from './demo.js';
import { parseServerArgs } from './options.js';
import { Services } from './services.js';
import { loadTls } from './tls.js';

async function main(): Promise<void> {
  const options = parseServerArgs(process.argv.slice(2));
  await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  const db = openDatabase(path.join(options.dataDir, 'server.sqlite'));
  const services = new Services(db, options.dataDir);
  await services.chunks.tidy();
  services.replication.runs.recover();
  services.seedMigration.runs.recover();
  const generatedPassword = await bootstrap(services, options);
  if (generatedPassword) process.stdout.write(`admin password (shown once): ${generatedPassword}\n`);
  if (options.demo) {
    const seeded = await seedDemo(services);
    process.stderr.write(seeded ? `demo data: ${seeded.resellers} resellers, ${seeded.customers} customers, ${seeded.clients} clients\n` : 'demo data: skipped, the data dir already has customers\n');
  }

  const tls = options.http ? null : await loadTls(options.dataDir, options.tlsCert, options.tlsKey);
  const app = await buildApp(services, {
    logger: { level: options.logLevel, stream: process.stderr },
    ...(tls ? { tls: { key: tls.key, cert: tls.cert } } : {}),
  });
  await app.listen({ host: options.host, port: options.port });

  const maintenance =
    options.maintenanceMinutes > 0
      ? setInterval(() => {
          services.maintenance.run().catch((err: unknown) => app.log.error({ err }, 'scheduled maintenance failed'));
        }, options.maintenanceMinutes * 60_000)
      : null;
  // Replication runs fall due on their own frequency and backoff (minutes), so they are looked for every
  // minute while scheduled work is on; the rest of maintenance keeps its own interval.
  const replication = options.maintenanceMinutes > 0 ? setInterval(() => void services.replication.runs.runDue().catch((err: unknown) => app.log.error({ err }, 'replication scheduling failed')), 60_000) : null;

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info(`${signal}: shutting down`);
    if (maintenance) clearInterval(maintenance);
    if (replication) clearInterval(replication);
    await app.close(); // stops accepting, lets in-flight requests finish
    await services.replication.runs.stop(); // runs in progress fail at their next pack, to resume later
    await services.seedMigration.runs.stop(); // likewise: the client being copied stays here, whole
    await services.chunks.idle();
    db.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  // Printed last: whoever waits for this line may send SIGTERM at once, and must get a clean shutdown.
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  process.stdout.write(`listening ${tls ? 'https' : 'http'}://${host}:${port} fingerprint=${tls?.fingerprint ?? 'none'}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`backup server: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
