import { ApiError, fieldConflict } from './errors.js';
import type { Settings } from './settings.js';
import { clampedSum, type Store } from './store.js';

/** The MCAL pool (API.md, "Clients and MCALs"): one MCAL = one authorized, non-trial machine. */
export interface PoolStatus {
  total: number;
  /** Σ allotments of customers with an allotment: reserved, whether used or not. */
  allotted: number;
  /** Σ MCALs consumed by all customers. */
  used: number;
  /** Σ MCALs consumed by customers without an allotment (they draw from the pool directly). */
  unallottedUsed: number;
}

export interface McalHolder {
  mcals_allotted: number | null;
  mcals_used: number;
  name: string;
}

export class McalPool {
  constructor(
    private readonly store: Store,
    private readonly settings: Settings,
  ) {}

  status(): PoolStatus {
    const row = this.store.get<{ allotted: number; used: number; unallotted_used: number }>(
      `SELECT ${clampedSum('mcals_allotted')} AS allotted, ${clampedSum('mcals_used')} AS used,
              ${clampedSum('CASE WHEN mcals_allotted IS NULL THEN mcals_used END')} AS unallotted_used FROM customers
       WHERE replica_server_id IS NULL`, // replicas consume none of this server's MCALs, and their allotments reserve nothing
    )!;
    return { total: this.settings.get('mcalPoolTotal'), allotted: row.allotted, used: row.used, unallottedUsed: row.unallotted_used };
  }

  /** Free MCALs for customers without an allotment (rule 3). */
  freeInPool(pool = this.status()): number {
    return pool.total - pool.allotted - pool.unallottedUsed;
  }

  /** Rules 2, 3 and 5: throws MCAL_EXHAUSTED unless the customer can take one more MCAL. */
  assertCanConsume(customer: McalHolder): void {
    if (customer.mcals_allotted !== null) {
      if (customer.mcals_used >= customer.mcals_allotted) {
        throw new ApiError('MCAL_EXHAUSTED', `Customer "${customer.name}" uses all ${customer.mcals_allotted} of its allotted MCALs; raise its allotment or free one.`, {
          allotted: customer.mcals_allotted,
          used: customer.mcals_used,
        });
      }
      return;
    }
    const free = this.freeInPool();
    if (free <= 0) {
      throw new ApiError('MCAL_EXHAUSTED', 'The server has no free MCAL left in its pool; raise the pool or free an MCAL.', { freeInPool: free });
    }
  }

  canConsume(customer: McalHolder): boolean {
    try {
      this.assertCanConsume(customer);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Rule 4: changing a customer's allotment (null = draw from the pool) must keep
   * Σ allotments + unallotted usage ≤ pool total, and an allotment never falls below what is in use.
   * `current` is the customer before the change (null for a new customer).
   */
  assertAllotment(current: McalHolder | null, next: number | null): void {
    const used = current?.mcals_used ?? 0;
    if (next !== null && next < used) {
      throw fieldConflict('mcalsAllotted', `mcalsAllotted: ${next} is less than the ${used} MCALs this customer already uses; remove or migrate clients first.`, { used });
    }
    const pool = this.status();
    const allotted = pool.allotted - (current?.mcals_allotted ?? 0) + (next ?? 0);
    const unallottedUsed = pool.unallottedUsed - (current && current.mcals_allotted === null ? used : 0) + (next === null ? used : 0);
    if (allotted + unallottedUsed > pool.total) {
      const available = pool.total - (pool.allotted - (current?.mcals_allotted ?? 0)) - (pool.unallottedUsed - (current && current.mcals_allotted === null ? used : 0));
      throw fieldConflict('mcalsAllotted', `mcalsAllotted: only ${available} MCALs can be allotted to this customer from the pool of ${pool.total}.`, { available, poolTotal: pool.total });
    }
  }

  /** The pool total can shrink only down to what is reserved and used. */
  assertPoolTotal(total: number): void {
    const pool = this.status();
    const needed = pool.allotted + pool.unallottedUsed;
    if (total < needed) {
      throw fieldConflict('mcalPoolTotal', `mcalPoolTotal: ${needed} MCALs are allotted or in use; the pool cannot be smaller than that.`, { needed });
    }
  }
}
