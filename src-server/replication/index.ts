import type { AuditLog } from '../audit.js';
import type { Clients } from '../clients.js';
import type { Customers } from '../customers.js';
import type { Resellers } from '../resellers.js';
import type { ChunkIndex } from '../dataplane/chunk-index.js';
import type { PackVerifier } from '../dataplane/pack-verifier.js';
import type { Jobs } from '../jobs.js';
import type { Settings } from '../settings.js';
import type { Store } from '../store.js';
import { ReplicationConfig } from './config.js';
import { CopyReceiver } from './copy-receiver.js';
import { Replicas } from './replica.js';
import { Replicator } from './replicator.js';
import { SecretBox } from './secret-box.js';
import { ReplicationStatusView } from './status.js';

/**
 * Replication (API.md), both sides: as a source, its configuration, runs and their state; as a
 * replication server, the replicas it keeps for other servers.
 */
export class Replication {
  readonly config: ReplicationConfig;
  readonly runs: Replicator;
  readonly status: ReplicationStatusView;
  readonly replicas: Replicas;
  /** Receives copies from other servers: replicas here, and clients seeded here (seed migration). */
  readonly copies: CopyReceiver;

  constructor(deps: { store: Store; settings: Settings; audit: AuditLog; customers: Customers; clients: Clients; resellers: Resellers; chunks: ChunkIndex; jobs: Jobs; verifier: PackVerifier; dataDir: string }) {
    const { store, settings, customers, chunks } = deps;
    this.config = new ReplicationConfig(store, settings, deps.audit, customers, new SecretBox(deps.dataDir));
    this.runs = new Replicator(store, settings, this.config, customers, chunks, deps.jobs);
    this.status = new ReplicationStatusView(store, settings, customers, this.config);
    this.copies = new CopyReceiver(store, chunks, deps.verifier);
    this.replicas = new Replicas(store, settings, chunks, deps.clients, deps.resellers, this.copies);
  }
}
