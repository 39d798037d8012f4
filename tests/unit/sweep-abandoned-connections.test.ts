import { ABANDONED_AFTER_MS, sweepAbandonedConnections } from '../../lib/use-cases/sweep-abandoned-connections.js';
import type { AgedSecrets } from '../../lib/ports.js';
import { FixedClock, RecordingLog } from '../helpers/in-memory-ports.js';

const DAY = 86_400_000;

/** Kept credentials with the time each last changed, as Secrets Manager lists them. */
class AgedSecretsFake implements AgedSecrets {
  readonly changedAt = new Map<string, number>();
  readonly refuse = new Set<string>();
  async listChangedBefore(cutoff: Date) {
    return [...this.changedAt].filter(([, at]) => at < cutoff.getTime()).map(([key]) => key);
  }
  async delete(key: string) {
    if (this.refuse.has(key)) throw Object.assign(new Error(`User is not authorized to perform: secretsmanager:DeleteSecret on ${key}`), { name: 'AccessDeniedException' });
    this.changedAt.delete(key);
  }
}

describe('sweepAbandonedConnections', () => {
  it('deletes the credentials of links that have certainly expired (31 days unchanged), and only keys shaped like a link hash', async () => {
    // Prepare
    const clock = new FixedClock();
    const now = clock.now().getTime();
    const connecting = new AgedSecretsFake();
    const link = (c: string) => c.repeat(40);
    connecting.changedAt.set(link('a'), now - 40 * DAY); // abandoned
    connecting.changedAt.set(link('b'), now - ABANDONED_AFTER_MS + 60_000); // its link may still be open
    connecting.changedAt.set(link('c'), now - 2 * DAY); // being connected
    connecting.changedAt.set('acme', now - 400 * DAY); // not a link's key (a tenant's secret under a wrong prefix): left alone
    const log = new RecordingLog();

    // Act
    const result = await sweepAbandonedConnections({ connecting, clock, log });

    // Assess
    expect(ABANDONED_AFTER_MS).toBe(31 * DAY);
    expect(result).toEqual({ deleted: 1, failed: 0 });
    expect([...connecting.changedAt.keys()].sort()).toEqual(['acme', link('b'), link('c')]);
    expect(log.text()).toContain('Deleted the credentials kept for connect links that expired unused');
    expect(log.text()).not.toContain(link('a'));
  });

  it('goes on past a delete that fails, says so, and leaves it for the next sweep', async () => {
    // Prepare
    const clock = new FixedClock();
    const connecting = new AgedSecretsFake();
    for (const c of ['1', '2', '3']) connecting.changedAt.set(c.repeat(40), clock.now().getTime() - 60 * DAY);
    connecting.refuse.add('2'.repeat(40));
    const log = new RecordingLog();

    // Act
    const first = await sweepAbandonedConnections({ connecting, clock, log });
    connecting.refuse.clear();
    const second = await sweepAbandonedConnections({ connecting, clock, log });

    // Assess
    expect(first).toEqual({ deleted: 2, failed: 1 });
    expect(log.lines.find((l) => l.level === 'warn')?.message).toMatch(/could not be deleted/);
    expect(second).toEqual({ deleted: 1, failed: 0 });
    expect(connecting.changedAt.size).toBe(0);
  });
});
