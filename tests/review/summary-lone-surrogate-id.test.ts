import { decodeChunk, encodeChunk, hashOfEntry, type SummaryStub } from '../../lib/sync/snapshot-summary.js';
import { aJob, aRawRow, anEmployee } from '../helpers/builders.js';
import { aTwinSync, written } from '../helpers/twin-sync.js';

/*
 * Review 17. The summary stores text ids (and text manager ids) as UTF-8 (snapshot-summary.ts,
 * ByteWriter.text / ByteReader.text). A JavaScript string is UTF-16 and may hold a lone surrogate
 * (JSON such as "\ud800" parses to one; the raw schema accepts any non-empty string as an id);
 * UTF-8 cannot carry it, so Buffer.from replaces it with U+FFFD and the id read back is another id.
 * With one chunk (every tenant under ~8,000 employees) no check notices (chunkOf of the wrong id is
 * still chunk 0, the count still matches): the summary has no stub for the real employee, and a
 * targeted run about them plans them as a newcomer.
 */
describe('the snapshot summary and ids that are not valid UTF-8 text (review 17)', () => {
  const ODD = 'emp-\ud800';

  it('reads back exactly the id it wrote, for an id holding a lone surrogate', () => {
    // Prepare
    const stub: SummaryStub = {
      id: ODD,
      hash: hashOfEntry({ employee: anEmployee(ODD), state: 'synced', reason: null, sourceManagerId: null }),
      state: 'synced',
      reason: null,
      sourceManagerId: null,
      orgDerived: true,
    };

    // Act
    const back = decodeChunk(encodeChunk([stub]));

    // Assess
    expect(back.map((s) => s.id)).toEqual([ODD]);
  });

  it('a webhook about an employee whose id holds a lone surrogate writes what a run reading the whole snapshot writes (no second "created")', async () => {
    // Prepare: both twins synced once (the summary twin saves its summary)
    const twin = await aTwinSync([aRawRow('1', { '4501': '0' }), aRawRow(ODD, { supervisorEId: '1', '4501': '0' })]);
    await twin.run(aJob({ requestedAt: '2026-11-25T09:00:00.000Z' }));
    twin.edit((source) => (source.rows.get(ODD)!.jobTitle = 'Director'));

    // Act
    const [viaSummary, viaFull] = await twin.run(
      aJob({ kind: 'employees', requestedBy: 'webhook', employeeIds: [ODD], requestedAt: '2026-11-25T10:00:00.000Z' }),
    );

    // Assess
    expect(viaSummary).not.toBeInstanceOf(Error);
    expect(viaFull).not.toBeInstanceOf(Error);
    expect(twin.full.feed.all('acme').map((r) => r.type)).toEqual(['created', 'created', 'updated']);
    expect(await written(twin.summary)).toEqual(await written(twin.full));
  });
});
