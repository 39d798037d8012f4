import type { RawFieldMeta } from '../../lib/bamboohr/raw-schema.js';
import { resolveField } from '../../lib/bamboohr/resolve-field.js';

const FIELDS: RawFieldMeta[] = [
  { id: '5', name: 'First Name', type: 'text', alias: 'firstName' },
  { id: '4501', name: 'Skip Elevo Sync', type: 'checkbox' },
  { id: '4502', name: 'Exclude', type: 'checkbox', alias: 'skip_elevo_sync' },
  { id: '4020.1', name: 'Shirt size', type: 'list' },
  { id: '4600', name: 'firstname', type: 'text' },
];

describe('resolveField', () => {
  it('finds a field by alias first', () => {
    // Act
    const field = resolveField(FIELDS, 'skip_elevo_sync');

    // Assess
    expect(field?.id).toBe('4502');
  });

  it('finds a custom field without alias by its display name', () => {
    // Act
    const field = resolveField(FIELDS, 'Skip Elevo Sync');

    // Assess
    expect(field?.id).toBe('4501');
  });

  it('finds a field by numeric id, dotted ids included', () => {
    // Act
    const byId = resolveField(FIELDS, '4501');
    const dotted = resolveField(FIELDS, '4020.1');

    // Assess
    expect(byId?.name).toBe('Skip Elevo Sync');
    expect(dotted?.name).toBe('Shirt size');
  });

  it('prefers an exact match over a case-insensitive one', () => {
    // Act
    const exactName = resolveField(FIELDS, 'firstname');
    const exactAlias = resolveField(FIELDS, 'firstName');

    // Assess
    expect(exactName?.id).toBe('4600');
    expect(exactAlias?.id).toBe('5');
  });

  it('falls back to case-insensitive alias, then name', () => {
    // Act
    const byAlias = resolveField(FIELDS, 'SKIP_ELEVO_SYNC');
    const byName = resolveField(FIELDS, 'shirt SIZE');

    // Assess
    expect(byAlias?.id).toBe('4502');
    expect(byName?.id).toBe('4020.1');
  });

  it('trims the wanted name', () => {
    // Act
    const field = resolveField(FIELDS, '  Skip Elevo Sync ');

    // Assess
    expect(field?.id).toBe('4501');
  });

  it('returns null when nothing matches', () => {
    // Act
    const missing = resolveField(FIELDS, 'no_such_field');
    const empty = resolveField(FIELDS, '  ');

    // Assess
    expect(missing).toBeNull();
    expect(empty).toBeNull();
  });
});
