import { ApiError } from '../errors.js';
import type { ClientRow } from '../client-rows.js';
import type { CustomerRow } from '../customers.js';
import type { McalPool } from '../mcal.js';
import type { Settings } from '../settings.js';

/**
 * The server's backup policy (API.md; DESIGN.md "every policy decision is made by the server"): checked
 * when a backup starts and again for every upload. `incomingBytes` is what the upload would add; at start
 * it defaults to 1, so an owner already at its allotment is refused then (a `refused` report) rather than
 * at its first pack.
 */
export class BackupPolicy {
  constructor(
    private readonly pool: McalPool,
    private readonly settings: Settings,
  ) {}

  check(client: ClientRow, customer: CustomerRow | null, incomingBytes = 1, now = Date.now()): void {
    if (client.trial || !customer) {
      if (client.trial_expires_at && Date.parse(client.trial_expires_at) <= now) {
        throw new ApiError('TRIAL_EXPIRED', `The trial of "${client.name}" ended on ${client.trial_expires_at}; ask your provider to move it to a paid customer.`);
      }
      const { spaceBytes } = this.settings.get('trial');
      if (client.space_used + incomingBytes > spaceBytes) {
        throw new ApiError('QUOTA_EXCEEDED', `The trial allows ${spaceBytes} bytes; "${client.name}" stores ${client.space_used} and this upload needs ${incomingBytes} more.`, {
          spaceAllotted: spaceBytes,
          spaceUsed: client.space_used,
        });
      }
      return;
    }
    if (!customer.active) throw new ApiError('CUSTOMER_INACTIVE', `Customer "${customer.name}" is inactive; an administrator must activate it before backups run.`);
    if (client.status !== 'authorized') {
      if (customer.auto_authorization && !this.pool.canConsume(customer)) {
        throw new ApiError('MCAL_EXHAUSTED', `No MCAL is free for "${client.name}" of customer "${customer.name}"; an administrator must free or add one.`);
      }
      throw new ApiError('CLIENT_NOT_AUTHORIZED', `Client "${client.name}" is waiting for an administrator to authorize it.`);
    }
    if (customer.space_allotted !== null && customer.space_used + incomingBytes > customer.space_allotted) {
      throw new ApiError('QUOTA_EXCEEDED', `Customer "${customer.name}" has used ${customer.space_used} of its ${customer.space_allotted} allotted bytes; this upload needs ${incomingBytes} more.`, {
        spaceAllotted: customer.space_allotted,
        spaceUsed: customer.space_used,
      });
    }
  }
}
