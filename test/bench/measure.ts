// Running a benchmark's commands: wall time, CPU time and peak memory of a child process.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const KIB = 1024;

export interface Measured {
  seconds: number;
  /** Peak RSS in bytes. */
  peakRss: number;
  cpuSeconds: number;
  stdout: string;
}

/** Runs a command under /usr/bin/time -v and returns wall time, peak RSS and CPU time; throws on a non-zero exit. */
export function measure(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const began = performance.now();
    const child = spawn('/usr/bin/time', ['-v', command, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      const seconds = (performance.now() - began) / 1000;
      if (code !== 0) return reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${stderr}${stdout}`));
      const field = (name: string) => Number(new RegExp(`${name}: ([\\d.]+)`).exec(stderr)?.[1] ?? NaN);
      resolve({ seconds, peakRss: field('Maximum resident set size \\(kbytes\\)') * KIB, cpuSeconds: field('User time \\(seconds\\)') + field('System time \\(seconds\\)'), stdout });
    });
  });
}

/** `npm run build` (scripts/build.mjs): the benchmarks run the shipped bundles in dist/. */
export async function build(): Promise<void> {
  console.log('building dist/ (npm run build) ...');
  await measure(process.execPath, [path.join(ROOT, 'scripts/build.mjs')]);
}

/** CPU seconds (user + system) a process has used so far, from /proc (clock ticks of 1/100 s on Linux). */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
