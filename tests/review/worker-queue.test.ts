import { BambooHrRateLimitedError, BambooHrUnavailableError } from '../../lib/errors.js';
import type { DeliveredJob, JobDeadLetters, JobRetries } from '../../lib/ports.js';
import { handleSyncDelivery, type Delivery } from '../../lib/use-cases/handle-sync-delivery.js';
import { syncTenant } from '../../lib/use-cases/sync-tenant.js';
import { aJob, aRawRow } from '../helpers/builders.js';
import { FakeEmployeeSource } from '../helpers/fake-employee-source.js';
import type { FixedClock } from '../helpers/in-memory-ports.js';
import { aSyncHarness } from '../helpers/sync-harness.js';

/** SQS's rule for ChangeMessageVisibility: a message is never invisible for more than 12 h from the receive. */
const SQS_MAX_VISIBILITY_SECONDS = 43_200;
/** serverless.yml's VisibilityTimeout of the jobs queue: when a message comes back if nobody changes it. */
const QUEUE_VISIBILITY_SECONDS = 1_800;

/**
 * The queue as SQS behaves for one received message: `retryLater` is refused (InvalidParameterValue)
 * when the new timeout would keep the message invisible past 12 h after it was received; the message
 * then comes back when its current visibility ends.
 */
class SqsLikeRetries implements JobRetries, JobDeadLetters {
  nextDeliveryAt: number;
  readonly refused: number[] = [];
  readonly deadLettered: string[] = [];
  constructor(
    private readonly clock: FixedClock,
    private readonly receivedAt: number,
  ) {
    this.nextDeliveryAt = receivedAt + QUEUE_VISIBILITY_SECONDS * 1000;
  }
  async retryLater(_receiptHandle: string, delaySeconds: number) {
    const now = this.clock.now().getTime();
    const inFlightSeconds = (now - this.receivedAt) / 1000;
    if (inFlightSeconds + delaySeconds > SQS_MAX_VISIBILITY_SECONDS) {
      this.refused.push(delaySeconds);
      const error = new Error('Value for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout for the message is beyond the limit [43200 seconds].');
      error.name = 'InvalidParameterValue';
      throw error;
    }
    this.nextDeliveryAt = now + delaySeconds * 1000;
  }
  async deadLetter(job: DeliveredJob) {
    this.deadLettered.push(job.messageId);
  }
}

/** A BambooHR that answers slowly (the run takes `seconds`), then rate-limits with this Retry-After. */
class SlowRateLimitedSource extends FakeEmployeeSource {
  constructor(
    private readonly clock: FixedClock,
    private readonly seconds: number,
    private readonly retryAfterSeconds: number,
  ) {
    super([aRawRow('1')]);
  }
  override async fetchReport(): Promise<never> {
    this.requestCount += 1;
    this.clock.advance(this.seconds * 1000);
    throw new BambooHrRateLimitedError('acme', this.retryAfterSeconds);
  }
}

describe('review: the worker and the queue', () => {
  it('a Retry-After of 12 h makes the next delivery wait (close to) 12 h, not the queue\'s 30 minutes: the visibility asked for must fit in SQS\'s 12 h from the receive', async () => {
    // Prepare: the delivery has been in flight 5 minutes when BambooHR says "come back in 12 hours"
    const h = await aSyncHarness();
    const source = new SlowRateLimitedSource(h.clock, 300, 43_200);
    const receivedAt = h.clock.now().getTime();
    const queue = new SqsLikeRetries(h.clock, receivedAt);
    const deps = {
      ...h.deps,
      employeeSource: () => source,
      retries: queue,
      jobDeadLetters: queue,
      policy: { maxAttempts: 5, maxReceiveCount: 50, recordBudgetMs: 450_000 },
    };
    const job = aJob();
    const delivery: Delivery = { messageId: 'm-1', receiptHandle: 'r-1', body: JSON.stringify(job), groupId: 'acme', receiveCount: 1 };

    // Act
    await handleSyncDelivery(deps, delivery, 900_000).catch(() => undefined);

    // Assess: SQS accepted the new visibility, and the job does not come back before ~11.5 h (it
    // cannot be 12 h from now: SQS counts its 12 h from the receive)
    expect(queue.refused).toEqual([]);
    expect((queue.nextDeliveryAt - receivedAt) / 3_600_000).toBeGreaterThanOrEqual(11.5);
  });

  it('a probe that finds the tenant already active (support fixed it meanwhile) never parks it on a transient error', async () => {
    // Prepare: the scheduler queued a probe while the tenant needed attention; support then stored a
    // new key (updateTenant makes it active again) before the worker took the probe
    const h = await aSyncHarness({ status: 'active', statusReason: null, attention: null }, new FakeEmployeeSource([aRawRow('1')]));
    h.source.failWith = new BambooHrUnavailableError('acme', 'HTTP 503 after 5 attempt(s)');

    // Act
    await syncTenant(h.deps, aJob({ requestedBy: 'probe' })).catch(() => undefined);

    // Assess: a BambooHR hiccup is retried like any failure of an active tenant; it does not take the
    // tenant out of the schedule (needs-attention) with a 503 as the "fix" to apply
    expect((await h.tenants.get('acme'))?.status).toBe('active');
  });
});

describe('review follow-up: a job given up parks its tenant', () => {
  it('puts the tenant in needs-attention (probes then back off) when its job is moved to the DLQ after its attempts, with one alert', async () => {
    // Prepare: a tenant whose syncs keep failing (BambooHR down for hours)
    const h = await aSyncHarness({}, new FakeEmployeeSource([aRawRow('1')]));
    h.source.failWith = new BambooHrUnavailableError('acme', 'HTTP 503 after 5 attempt(s)');
    const queue = new SqsLikeRetries(h.clock, h.clock.now().getTime());
    const deps = { ...h.deps, retries: queue, jobDeadLetters: queue, policy: { maxAttempts: 5, maxReceiveCount: 50, recordBudgetMs: 450_000 } };
    const job = aJob();
    const delivery = (n: number): Delivery => ({ messageId: 'm-1', receiptHandle: `r-${n}`, body: JSON.stringify(job), groupId: 'acme', receiveCount: n });

    // Act: five deliveries, each failing
    for (let n = 1; n <= 5; n += 1) await handleSyncDelivery(deps, delivery(n), 900_000).catch(() => undefined);

    // Assess
    expect(queue.deadLettered).toEqual(['m-1']);
    expect(await h.tenants.get('acme')).toMatchObject({ status: 'needs-attention', statusReason: expect.stringContaining('dead-letter queue'), attention: { probes: 0 } });
    expect(h.activity.alerts.map((a) => a.type)).toEqual(['needs-attention', 'dead-lettered']);
  });
});
