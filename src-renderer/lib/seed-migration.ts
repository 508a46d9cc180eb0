/** Seed Backup Migration in words and figures: who can use it, what a choice of clients needs, and what to do after a failure. Pure functions. */
import type { Client } from '../../src-shared/api/clients.js';
import type { SeedClientState, SeedMigration, SeedMigrationClient, SeedMigrationStatus } from '../../src-shared/api/seed-migration.js';
import type { ServerView } from '../../src-shared/bridge.js';
import { STATE_WORDS } from '../state/nodes.js';

/** The server can move clients away (on-premise) and the console is its administrator: the only one it lets. */
export function seedMigrationAvailable(server: ServerView | undefined): boolean {
  return server?.info?.features.seedMigration === true && server.role !== 'reseller';
}

export function seedMigrationUnavailableText(server: ServerView | undefined): string {
  const name = server?.name ?? 'This server';
  if (server?.info?.features.seedMigration === true) return `Only an administrator of ${name} can move its clients to another server.`;
  return `${name} does not offer seed backup migration (a cloud deployment keeps its clients).`;
}

/** Why a server cannot receive the clients of `sourceId`, or null when it can. */
export function targetProblem(server: ServerView, sourceId: string): string | null {
  if (server.id === sourceId) return 'the clients are on it';
  if (server.state !== 'online') return STATE_WORDS[server.state];
  if (server.info?.deployment === 'cloud') return 'a cloud server receives no migration';
  if (server.role !== 'admin') return 'signed in as a reseller: the console must sign in as its administrator';
  return null;
}

/** A moved client stays listed on its old server, with the redirect; it cannot move again from there. */
export const movable = (client: Client): boolean => client.status !== 'moved';

export interface SeedPreview {
  clients: number;
  bytes: number;
  /** MCALs the target must have: trial clients move as trial clients and need none. */
  mcals: number;
  trials: number;
}

export function seedPreview(clients: readonly Client[]): SeedPreview {
  const trials = clients.filter((c) => c.trial).length;
  return { clients: clients.length, bytes: clients.reduce((sum, c) => sum + c.spaceUsed, 0), mcals: clients.length - trials, trials };
}

export const CLIENT_STATE_WORDS: Record<SeedClientState, string> = { queued: 'Waiting', copying: 'Copying', moved: 'Moved', failed: 'Failed' };

export const STATUS_WORDS: Record<SeedMigrationStatus, string> = {
  running: 'Moving clients',
  done: 'Migration finished',
  partial: 'Migration finished in part',
  failed: 'Migration failed',
};

/** The API code a client's error starts with (`MCAL_EXHAUSTED: …`), or null. */
export function errorCodeOf(error: string | null): string | null {
  return error ? (/^([A-Z][A-Z_]+):/.exec(error)?.[1] ?? null) : null;
}

/** Refusals a rerun alone cannot overcome: something must change first, as each says. */
const REFUSALS: Record<string, string> = {
  MCAL_EXHAUSTED: 'Raise the MCAL allotment of the target customer (or the target server’s MCAL pool), then move this client again.',
  QUOTA_EXCEEDED: 'Raise the space allotment of the target customer, then move this client again.',
  NAME_TAKEN: 'The target server has a customer of that name that cannot take these clients (a replica): choose another target customer.',
  FEATURE_UNAVAILABLE: 'The target server is a cloud deployment, which receives no migration: choose an on-premise server.',
  CONFLICT: 'The client changed on the source meanwhile (moved, deleted, or a backup running): refresh the list and choose it again.',
  NOT_FOUND: 'The client is no longer on the source server: refresh the list.',
};

/** Interruptions: the source can continue where it stopped once it has a fresh target session. */
const INTERRUPTED = 'The copy was interrupted (the target could not be reached, or its session ended); the client stays on the source. Choose Resume to continue.';
const INTERRUPTIONS: Record<string, string> = {
  CERTIFICATE_CHANGED: 'The target server presents another certificate than the one trusted: check and trust it on the target server in the console, then choose Resume.',
};

const interrupted = (c: SeedMigrationClient): boolean => c.state === 'queued' || c.state === 'copying' || (c.state === 'failed' && !REFUSALS[errorCodeOf(c.error) ?? '']);

/** What to do about a failed client, in one sentence; null for one that did not fail. */
export function nextStep(client: SeedMigrationClient): string | null {
  if (client.state !== 'failed') return null;
  const code = errorCodeOf(client.error) ?? '';
  return REFUSALS[code] ?? INTERRUPTIONS[code] ?? INTERRUPTED;
}

/**
 * Resume is offered when a migration stopped short because of an interruption — a client still waiting
 * or copying, or one failed for a reason other than a refusal. One with only refusals left needs changes first.
 */
export function resumable(migration: SeedMigration): boolean {
  return (migration.status === 'failed' || migration.status === 'partial') && migration.clients.some(interrupted);
}

/** The target customer each chosen client joins: the one named for all, or one of its own customer's name. */
export function targetCustomerNames(clients: readonly Client[], customerName: (c: Client) => string | null, forAll: string | null): Map<string, number> {
  const needs = new Map<string, number>();
  for (const c of clients) {
    if (c.trial) continue;
    const name = forAll ?? customerName(c);
    if (name !== null) needs.set(name, (needs.get(name) ?? 0) + 1);
  }
  return needs;
}

/**
 * Where the target will lack MCALs, as far as the console can tell: a customer with an allotment has
 * what is left of it, one without draws from the pool (as does a customer the migration creates).
 */
export function mcalWarnings(needs: ReadonlyMap<string, number>, targetCustomers: readonly { name: string; mcalsAllotted: number | null; mcalsUsed: number }[], poolFree: number | null): string[] {
  const warnings: string[] = [];
  for (const [name, need] of needs) {
    const existing = targetCustomers.find((t) => t.name.toLowerCase() === name.toLowerCase());
    const free = existing && existing.mcalsAllotted !== null ? Math.max(0, existing.mcalsAllotted - existing.mcalsUsed) : poolFree;
    if (free === null || need <= free) continue;
    warnings.push(
      `${name} on the target has ${free} free MCAL${free === 1 ? '' : 's'} for ${need} client${need === 1 ? '' : 's'}: the target refuses the rest (MCAL_EXHAUSTED) and they stay here. Raise its allotment first, or move fewer.`,
    );
  }
  return warnings;
}
