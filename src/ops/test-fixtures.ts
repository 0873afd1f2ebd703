/**
 * A hand-made store and engine-event builders for the ops tests: one gondola facing +y with three plates on one
 * shelf (cola, chips, a two-SKU soap/gum plate), cameras placed by hand, one door. Small enough to check by hand.
 */
import type { CartLine } from '../cart/types.ts';
import type { EngineEvent } from '../engine/events.ts';
import type { ReviewAlternative } from '../review/types.ts';
import { lookAtRotation } from '../store/camera.ts';
import { parseStore } from '../store/load-store.ts';
import type { CameraDef, StoreDef, Vec3 } from '../store/schema.ts';
import type { Store } from '../store/store.ts';
import type { ItemCount, ShelfEvent } from '../weight/types.ts';

export const T0 = Date.UTC(2026, 10, 2, 15, 0, 0);

export function handCamera(id: string, at: Vec3, target: Vec3): CameraDef {
  return {
    id,
    resolution: [1280, 720],
    fps: 15,
    intrinsics: { fx: 600, fy: 600, cx: 640, cy: 360 },
    pose: { position: at, rotation: lookAtRotation(at, target) },
    distortion: [],
  };
}

/** Two cameras in the aisle looking at the shelf front, one behind the gondola (blocked), one looking away. */
export const OPS_CAMERAS = (): CameraDef[] => [
  handCamera('front-left', [0.5, 3.5, 2.8], [1.5, 1.6, 1.1]),
  handCamera('front-right', [2.5, 3.5, 2.8], [1.5, 1.6, 1.1]),
  handCamera('behind', [1.5, 0.3, 1.2], [1.5, 2, 1.15]),
  handCamera('away', [1.5, 3.5, 2.8], [1.5, 5, 2.8]),
];

export function opsStoreDef(cameras: CameraDef[] = OPS_CAMERAS()): StoreDef {
  const plate = (id: string, x0: number, skus: string[], capacity: number[]) => ({
    id,
    box: { min: [x0, 1, 1] as Vec3, max: [x0 + 1, 1.5, 1.02] as Vec3 },
    skus,
    capacity,
    maxGrams: 20000,
  });
  return {
    id: 'ops-shop',
    name: 'Ops test shop',
    currency: 'USD',
    timezone: 'UTC',
    mode: 'multi-shopper',
    floor: {
      outline: [
        [0, 0],
        [4, 0],
        [4, 5],
        [0, 5],
      ],
      entryArea: [
        [3, 4],
        [4, 4],
        [4, 5],
        [3, 5],
      ],
    },
    products: [
      { sku: 'COLA', name: 'Cola 355 ml', price: 199, unitWeight: { mean: 370, sd: 3 }, ageRestricted: false },
      { sku: 'CHIPS', name: 'Chips 50 g', price: 249, unitWeight: { mean: 60, sd: 2 }, ageRestricted: false },
      { sku: 'SOAP', name: 'Soap bar', price: 399, unitWeight: { mean: 125, sd: 2 }, ageRestricted: false },
      { sku: 'GUM', name: 'Gum', price: 149, unitWeight: { mean: 30, sd: 1 }, ageRestricted: false },
    ],
    fixtures: [
      {
        id: 'gondola',
        kind: 'gondola',
        box: { min: [0.5, 1, 0], max: [3.5, 1.5, 1.8] },
        facing: [0, 1],
        shelves: [
          {
            id: 'gondola.s1',
            plates: [
              plate('p-cola', 0.5, ['COLA'], [10]),
              plate('p-chips', 1.5, ['CHIPS'], [20]),
              plate('p-mixed', 2.5, ['SOAP', 'GUM'], [8, 12]),
            ],
          },
        ],
      },
    ],
    cameras,
    gates: [
      {
        id: 'door',
        kind: 'both',
        line: [
          [3, 4.8],
          [4, 4.8],
        ],
      },
    ],
  };
}

export function opsStore(cameras?: CameraDef[]): Store {
  const parsed = parseStore(opsStoreDef(cameras));
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.value;
}

let shelfCounter = 0;

/** A shelf event on one plate: `grams` left it (negative: arrived), with the given top hypothesis. */
export function shelfEvent(
  plateId: string,
  grams: number,
  items: ItemCount[],
  t: number,
  extra: Partial<ShelfEvent> = {},
): EngineEvent {
  shelfCounter += 1;
  const data: ShelfEvent = {
    id: `${plateId}@${t}#${shelfCounter}`,
    fixtureId: 'gondola',
    shelfId: 'gondola.s1',
    plateIds: [plateId],
    gramsByPlate: { [plateId]: grams },
    grams,
    sigmaGrams: 2,
    tStart: t - 1500,
    tChange: t - 1000,
    tSettled: t - 300,
    tDecided: t,
    hypotheses: [{ items, probability: 0.97, residualGrams: 0 }],
    flags: [],
    ...extra,
  };
  return { type: 'shelf.event', t, data };
}

export function cartLine(shelf: EngineEvent, sessionId: string, item: ItemCount, confidence = 0.97): EngineEvent {
  if (shelf.type !== 'shelf.event') throw new Error('cart lines cite shelf events');
  const line: CartLine = {
    lineId: `${shelf.data.id}/${sessionId}/${item.sku}`,
    sessionId,
    kind: item.qty > 0 ? 'add' : 'remove',
    sku: item.sku,
    qty: item.qty,
    unitPrice: 199,
    evidence: { shelfEventId: shelf.data.id },
    confidence,
    t: shelf.t,
  };
  return { type: 'cart.line', t: shelf.t, data: line };
}

/** The engine's decision on `shelf`, logged without review: `sessionId` charged (null: nobody) for `items`. */
export function shelfDecided(
  shelf: EngineEvent,
  sessionId: string | null,
  items: ItemCount[],
  confidence = 0.97,
): EngineEvent {
  if (shelf.type !== 'shelf.event') throw new Error('decisions cite shelf events');
  const data = { shelfEventId: shelf.data.id, sessionId, items, confidence, reason: 'test' };
  return { type: 'shelf.decided', t: shelf.t, data };
}

export function sessionOpened(sessionId: string, t: number, staff = false): EngineEvent {
  return {
    type: 'session.opened',
    t,
    data: {
      sessionId,
      account: staff ? 'staff-1' : `acct-${sessionId}`,
      partySize: 1,
      gateId: 'door',
      opened: t,
      state: 'admitted',
      trackIds: [],
      staff,
    },
  };
}

export function sessionClosed(sessionId: string, t: number): EngineEvent {
  return { type: 'session.closed', t, data: { sessionId, reason: 'exit' } };
}

export function reviewOpened(shelf: EngineEvent, alternatives: ReviewAlternative[]): EngineEvent {
  if (shelf.type !== 'shelf.event') throw new Error('cases cite shelf events');
  const blocking = alternatives.flatMap((a) => (a.sessionId ? [a.sessionId] : []));
  return {
    type: 'review.opened',
    t: shelf.t,
    data: {
      caseId: `R-${shelf.data.id}`,
      shelfEventId: shelf.data.id,
      opened: shelf.t,
      reason: 'close call',
      alternatives,
      blocking,
    },
  };
}

export function reviewResolved(caseId: string, choice: ReviewAlternative, t: number): EngineEvent {
  return { type: 'review.resolved', t, data: { caseId, choice, reviewer: 'ana', t } };
}
