import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { optionalExport } from './optional-import.ts';

describe('optionalExport', () => {
  it('gives the function when present, null for a missing module or export', async () => {
    const here = (path: string) => new URL(path, import.meta.url).href;
    const percentile = await optionalExport<(s: number[], p: number) => number>(here('./stats.ts'), 'percentile');
    assert.equal(percentile?.([3, 1, 2], 50), 2);
    assert.equal(await optionalExport(here('./stats.ts'), 'noSuchExport'), null);
    assert.equal(await optionalExport(here('./no-such-module.ts'), 'x'), null);
  });
});
