import { BambooHrDataError } from '../../lib/errors.js';
import { parseCheckbox } from '../../lib/sync/checkbox.js';
import { mapEmployee, normaliseDate } from '../../lib/sync/map-employee.js';
import { aRawRow } from '../helpers/builders.js';

describe('mapEmployee', () => {
  it('trims strings, turns empty into null, lower-cases emails and reads supervisorEId as the manager id', () => {
    // Prepare
    const row = aRawRow('7', { firstName: '  Ada ', middleName: '   ', workEmail: ' Ada.Lovelace@Example.COM ', supervisorEId: 3, supervisorId: '1001' });

    // Act
    const employee = mapEmployee(row, { subdomain: 'acme', exclusionKey: null });

    // Assess
    expect(employee.firstName).toBe('Ada');
    expect(employee.middleName).toBeNull();
    expect(employee.workEmail).toBe('ada.lovelace@example.com');
    expect(employee.sourceManagerId).toBe('3');
    expect(employee.status).toBe('active');
  });

  it('accepts numeric ids and Inactive status', () => {
    // Act
    const employee = mapEmployee({ ...aRawRow('x', { status: 'Inactive' }), id: '42' }, { subdomain: 'acme', exclusionKey: null });

    // Assess
    expect(employee.id).toBe('42');
    expect(employee.status).toBe('inactive');
  });

  it('normalises dates and maps 0000-00-00 to null', () => {
    // Assess
    expect(normaliseDate('0000-00-00')).toBeNull();
    expect(normaliseDate('2021-02-30')).toBeNull();
    expect(normaliseDate('2021-02-03')).toBe('2021-02-03');
    expect(normaliseDate('')).toBeNull();
    expect(normaliseDate('03/02/2021')).toBeNull();
  });

  it('rejects a status that is neither Active nor Inactive rather than guessing', () => {
    // Act
    const act = () => mapEmployee(aRawRow('9', { status: 'Maybe' }), { subdomain: 'acme', exclusionKey: null });

    // Assess
    expect(act).toThrow(BambooHrDataError);
  });

  it.each([
    ['1', true],
    ['0', false],
    ['true', true],
    ['false', false],
    ['Yes', true],
    ['No', false],
    [true, true],
    [false, false],
    ['', false],
    [null, false],
  ])('reads the exclusion checkbox value %p as %p', (value, expected) => {
    // Act
    const employee = mapEmployee(aRawRow('5', { '4501': value }), { subdomain: 'acme', exclusionKey: '4501' });

    // Assess
    expect(employee.excluded).toBe(expected);
  });

  it('fails closed on an unreadable checkbox value: the employee counts as excluded', () => {
    // Act
    const employee = mapEmployee(aRawRow('5', { '4501': 'perhaps' }), { subdomain: 'acme', exclusionKey: '4501' });

    // Assess
    expect(parseCheckbox('perhaps')).toBeNull();
    expect(employee.excluded).toBe(true);
    expect(employee.exclusionUnreadable).toBe(true);
  });
});
