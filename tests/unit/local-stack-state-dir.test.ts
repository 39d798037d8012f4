import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareStateDir } from '../../dev/local-stack/stack-file.js';

describe('the local stack state directory (hardening 18)', () => {
  it('keeps keys and data out of git when the directory is not the ignored .local: a .gitignore of its own', () => {
    // Prepare
    const parent = mkdtempSync(join(tmpdir(), 'state-'));
    const dir = join(parent, 'elsewhere');

    // Act
    const written = prepareStateDir(dir, { repoRoot: parent });

    // Assess
    expect(written).toBe(true);
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toMatch(/^\*$/m);
    rmSync(parent, { recursive: true, force: true });
  });

  it('writes nothing extra in the repository .local, which .gitignore covers already', () => {
    // Prepare
    const root = mkdtempSync(join(tmpdir(), 'repo-'));

    // Act
    const written = prepareStateDir(join(root, '.local'), { repoRoot: root });

    // Assess
    expect(written).toBe(false);
    expect(existsSync(join(root, '.local', '.gitignore'))).toBe(false);
    rmSync(root, { recursive: true, force: true });
  });
});
