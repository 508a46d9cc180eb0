import type { ScheduledTask } from '../scheduler.js';
import type { RetentionConfig } from './config.js';
import type { RetentionDeps } from './index.js';

// Skeleton (filled by the retention work in progress).
export class Pruner {
  constructor(
    private readonly deps: RetentionDeps,
    private readonly config: RetentionConfig,
  ) {}

  task(): ScheduledTask {
    return { name: 'retention', due: () => false, run: () => ({}) };
  }
}
