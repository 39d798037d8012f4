import { errorMessage } from '../errors.js';
import type { Log } from '../logging.js';
import type { AgedSecrets, Clock } from '../ports.js';
import { MAX_LINK_LIFETIME_HOURS } from './connect-tenant.js';

export interface SweepAbandonedConnectionsDeps {
  /** The credentials kept for connect links whose access was not complete (config.secrets.connectPrefix). */
  connecting: AgedSecrets;
  clock: Clock;
  log: Log;
}

/**
 * A credential last changed this long ago belongs to a link that has expired: a link lasts at most
 * MAX_LINK_LIFETIME_HOURS from its creation, and its credential is saved after that; a day more for
 * clocks and retries.
 */
export const ABANDONED_AFTER_MS = (MAX_LINK_LIFETIME_HOURS + 24) * 3_600_000;

/** The keys connect links keep their credential under (connectingKeyOf: 160 bits of the link's hash, in hex); anything else is left alone. */
const CONNECTING_KEY = /^[0-9a-f]{40}$/;

/**
 * A customer who gave a key or signed in on a connect link whose access was not complete yet has
 * their credential kept, for "Check again", until the link connects. A link abandoned that way kept
 * it for good: once the link has certainly expired nobody can use it, so it is deleted. Best effort:
 * a failed delete is tried again at the next sweep. Never a key's value in a log line.
 */
export const sweepAbandonedConnections = async (deps: SweepAbandonedConnectionsDeps): Promise<{ deleted: number; failed: number }> => {
  const cutoff = new Date(deps.clock.now().getTime() - ABANDONED_AFTER_MS);
  const keys = (await deps.connecting.listChangedBefore(cutoff)).filter((key) => CONNECTING_KEY.test(key));
  let deleted = 0;
  const failures: string[] = [];
  for (const key of keys) {
    try {
      await deps.connecting.delete(key);
      deleted += 1;
    } catch (error) {
      failures.push(errorMessage(error));
    }
  }
  if (keys.length > 0) {
    deps.log.info('Deleted the credentials kept for connect links that expired unused', { deleted, failed: failures.length, olderThan: cutoff.toISOString() });
  }
  if (failures.length > 0) deps.log.warn('Some credentials of expired connect links could not be deleted (tried again next period)', { failed: failures.length, first: failures[0] });
  return { deleted, failed: failures.length };
};
