import { BambooHrAuthError } from '../../lib/errors.js';

import { connectWithKey, createInvite } from '../../lib/use-cases/connect-tenant.js';
import { aRawRow } from '../helpers/builders.js';
import { FakeEmployeeSource } from '../helpers/fake-employee-source.js';
import { FixedClock, InMemoryInviteStore } from '../helpers/in-memory-ports.js';
import { aConnectDeps, tokenOfLink } from '../helpers/connect-deps.js';

const WRONG_KEY = 'wrong-key-8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a';

/** DynamoDB failing the write that gives the claim up. */
class ReleaseFailingInviteStore extends InMemoryInviteStore {
  override async release(): Promise<void> {
    throw Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), { name: 'ProvisionedThroughputExceededException' });
  }
}

describe('review: giving the claim up fails after BambooHR refused the key', () => {
  it("tells the customer BambooHR refused the key (the attempt's own error), not the claim's release failure", async () => {
    // Prepare: BambooHR refuses the pasted key
    const clock = new FixedClock();
    const source = new FakeEmployeeSource([aRawRow('1')]);
    source.failWith = new BambooHrAuthError('acme', 401);
    const deps = aConnectDeps({
      clock,
      employeeSource: () => source,
      invites: new ReleaseFailingInviteStore(),
    });
    const token = tokenOfLink((await createInvite(deps, 'acme', { actor: 'support' })).url);

    // Act
    const answer = await connectWithKey(deps, token, { subdomain: 'acme', apiKey: WRONG_KEY }).catch((error: unknown) => error);

    // Assess
    expect(answer).toBeInstanceOf(BambooHrAuthError);
  });
});
