/**
 * BambooHR does not document how a checkbox comes back in JSON. Accept every form seen:
 * "1"/"0", "true"/"false", "Yes"/"No", "on"/"off", "checked", booleans and numbers.
 * Returns null for a value that is none of these (the caller fails closed on it).
 */
const TICKED = new Set(['1', 'true', 'yes', 'y', 'on', 'checked', 'x']);
const UNTICKED = new Set(['0', 'false', 'no', 'n', 'off', 'unchecked', '']);

export const parseCheckbox = (value: unknown): boolean | null => {
  if (value === null || value === undefined) return false;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value === 1 ? true : value === 0 ? false : null;
  if (typeof value !== 'string') return null;
  const normalised = value.trim().toLowerCase();
  if (TICKED.has(normalised)) return true;
  if (UNTICKED.has(normalised)) return false;
  return null;
};
