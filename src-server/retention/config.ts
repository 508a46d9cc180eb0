import type { RetentionDeps } from './index.js';

// Skeleton (filled by the retention work in progress).
export class RetentionConfig {
  constructor(private readonly deps: RetentionDeps) {}
}
