/**
 * Starting a worker thread from its entry module, both shipped and in development: bundled, the entry is
 * a `.js` file next to the bundle that starts it; from source, under tsx, it is the `.ts` file, and since
 * Node 20 does not apply `--import` hooks to worker threads, the thread registers tsx itself first.
 */
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';

/** `built` and `source`: the entry's URLs, each resolved against the caller's `import.meta.url`. */
export function startWorker(built: URL, source: URL): Worker {
  if (existsSync(built)) return new Worker(built);
  const tsx = import.meta.resolve('tsx/esm/api');
  return new Worker(`import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(source.href)}); });`, { eval: true });
}
