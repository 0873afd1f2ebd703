/**
 * A one-gondola store for unit tests: small enough to read, valid by construction.
 */
import { parseStore } from './load-store.ts';
import type { StoreDef } from './schema.ts';
import type { Store } from './store.ts';

export const tinyStoreDef = (): StoreDef =>
  ({
    id: 'shop',
    name: 'Shop',
    currency: 'USD',
    floor: {
      outline: [
        [0, 0],
        [5, 0],
        [5, 5],
        [0, 5],
      ],
      entryArea: [
        [0, 0],
        [1, 0],
        [1, 1],
      ],
    },
    products: [{ sku: 'WATER', name: 'Water 0.5 L', price: 199, unitWeight: { mean: 520, sd: 5 } }],
    fixtures: [
      {
        id: 'g1',
        kind: 'gondola',
        box: { min: [1, 1, 0], max: [2, 1.5, 2] },
        facing: [0, 1],
        shelves: [
          {
            id: 'g1.s1',
            plates: [
              { id: 'g1.s1.p1', box: { min: [1, 1, 1], max: [1.5, 1.5, 1.02] }, skus: ['WATER'], capacity: [10] },
            ],
          },
        ],
      },
    ],
    gates: [
      {
        id: 'door',
        kind: 'both',
        line: [
          [0, 0.5],
          [0, 1.5],
        ],
      },
    ],
  }) as StoreDef;

export function tinyStore(): Store {
  const r = parseStore(tinyStoreDef());
  if (!r.ok) throw new Error(r.reason);
  return r.value;
}
