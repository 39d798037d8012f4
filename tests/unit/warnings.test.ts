import { findManagerLoops } from '../../lib/sync/warnings.js';

describe('findManagerLoops', () => {
  it('finds each reporting loop once, not the chains that merely lead into one', () => {
    // Prepare: 0→1→2→0 is a loop, 3→0 and 4→3 lead into it, 5↔6 is another loop, 7 has no manager
    const manager = Int32Array.from([1, 2, 0, 0, 3, 6, 5, -1]);

    // Act
    const loops = findManagerLoops(manager).map((loop) => [...loop].sort());

    // Assess
    expect(loops).toEqual([
      [0, 1, 2],
      [5, 6],
    ]);
  });

  it('finds none in a tree', () => {
    // Act / Assess
    expect(findManagerLoops(Int32Array.from([-1, 0, 0, 1, 1, 2]))).toEqual([]);
  });
});
