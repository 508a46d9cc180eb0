import type { RoutePlugin } from './reply.js';

// Skeleton (filled by the retention work in progress).
export const retentionRoutes: RoutePlugin = () => async () => {};
