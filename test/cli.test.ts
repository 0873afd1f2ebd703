/** The `walkout` command line as a user meets it: a refused flag is one clear line and exit code 1, not a trace. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../src/cli.ts', import.meta.url));

describe('walkout command line', () => {
  it('refuses an unknown benchmark suite with one line naming the suites', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', CLI, 'bench', '--suite', 'smoke'], {
      encoding: 'utf8',
    });
    assert.equal(run.status, 1);
    assert.equal(run.stderr.trim(), 'walkout: unknown suite "smoke" (quick, standard, hard) (BENCH_SUITE)');
  });
});
