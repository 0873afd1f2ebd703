import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { isSuiteName, SUITES, selectRuns } from './suites.ts';

describe('suites', () => {
  it('keeps quick small and standard on both example stores', () => {
    assert.deepEqual(
      SUITES.quick.runs.map((r) => r.store),
      ['examples/kiosk.yaml'],
    );
    assert.ok(SUITES.quick.runs.every((r) => r.minutes <= 10 && r.shoppers <= 10));
    assert.deepEqual(SUITES.standard.runs.map((r) => r.store).sort(), [
      'examples/convenience.yaml',
      'examples/kiosk.yaml',
    ]);
    assert.ok(SUITES.standard.runs.every((r) => r.difficulty === 'standard'));
    assert.ok(SUITES.hard.runs.every((r) => r.difficulty === 'hard'));
  });

  it('names only stores that exist once the examples are in the repo', (t) => {
    const files = new Set(Object.values(SUITES).flatMap((s) => s.runs.map((r) => r.store)));
    const root = new URL('../../', import.meta.url);
    if (![...files].some((f) => existsSync(new URL(f, root)))) return t.skip('examples/ not written yet');
    for (const f of files) assert.ok(existsSync(new URL(f, root)), `${f} is missing`);
  });

  it('selects one store of a suite, or runs any store file with the first setup', () => {
    assert.deepEqual(
      selectRuns('standard', '/repo/examples/convenience.yaml').map((r) => r.store),
      ['examples/convenience.yaml'],
    );
    assert.deepEqual(selectRuns('quick', '/tmp/mine.yaml'), [{ ...SUITES.quick.runs[0]!, store: '/tmp/mine.yaml' }]);
    assert.equal(selectRuns('hard').length, SUITES.hard.runs.length);
    assert.ok(isSuiteName('standard'));
    assert.ok(!isSuiteName('huge'));
  });
});
