/**
 * The wire constants the agent needs at run time, as copies the compiler checks against src-shared.
 *
 * Why copies: the shared modules that define them also define the TypeBox schemas, and loading TypeBox
 * (some 700 modules) costs the agent about a second at every start, which dominates a backup with
 * nothing to do. A type-only import loads nothing at run time, and because the shared constants are
 * declared `as const`, `typeof` pins every value here: a change on either side fails `tsc`.
 */
import type { CHUNK_FRAME as SHARED_CHUNK_FRAME } from '../src-shared/api/agent.js';
import type { ErrorCode, POLICY_REFUSALS as SHARED_POLICY_REFUSALS } from '../src-shared/api/common.js';

export const CHUNK_FRAME: typeof SHARED_CHUNK_FRAME = { hashBytes: 32, lengthBytes: 4 };

export const POLICY_REFUSALS: typeof SHARED_POLICY_REFUSALS = ['CUSTOMER_INACTIVE', 'CLIENT_NOT_AUTHORIZED', 'MCAL_EXHAUSTED', 'QUOTA_EXCEEDED', 'TRIAL_EXPIRED'];

/**
 * Also exit 3 (API.md, "Agent CLI"): a replication server's copy of this client is read-only, so a
 * backup sent there is refused by policy like the others.
 */
export const REPLICA_READ_ONLY = 'REPLICA_READ_ONLY' satisfies ErrorCode;
