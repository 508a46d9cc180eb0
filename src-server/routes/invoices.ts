import type { RoutePlugin } from './reply.js';

// Skeleton (filled by the invoicing work in progress).
export const invoiceRoutes: RoutePlugin = () => async () => {};
