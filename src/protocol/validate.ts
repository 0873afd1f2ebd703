/**
 * The edge check every device message passes on its way into the engine: topic, JSON, schema, known device,
 * physically possible values (a live server's clock gate also runs it on a message it is about to refuse). A failure
 * is a stable reject code with a readable reason, never a throw.
 */
import type { z } from 'zod';
import { fail, ok, type Result } from '../errors.ts';
import { pointInPolygon } from '../store/geometry.ts';
import type { Store } from '../store/store.ts';
import {
  cameraPeopleSchema,
  type DeviceMessage,
  foundAssignSchema,
  gatePassSchema,
  gateScanSchema,
  itemFoundSchema,
  PROTOCOL_VERSION,
  plateWeightSchema,
  type StaffMessage,
  stockCountSchema,
} from './messages.ts';
import { parseTopic } from './topics.ts';

export const REJECT_CODES = [
  'BAD_TOPIC',
  'WRONG_STORE',
  'BAD_JSON',
  'BAD_VERSION',
  'BAD_SCHEMA',
  'UNKNOWN_DEVICE',
  'IMPOSSIBLE_VALUE',
  'DUPLICATE',
  'TOO_LATE',
  'CLOCK_SKEW',
  // A staff message the engine refuses when it applies it (engine/found-items.ts).
  'NO_SUCH_FIND',
  'NOT_IN_CART',
  // A count of a plate still settling a change (engine.ts): that change, decided after, would be counted twice.
  'PLATE_BUSY',
] as const;
export type RejectCode = (typeof REJECT_CODES)[number];

/** Earliest believable timestamp (2020-01-01): anything before is a device with an unset clock. */
const MIN_TS = 1_577_836_800_000;

function parseJson(payload: unknown): Result<unknown, 'BAD_JSON'> {
  if (typeof payload !== 'string' && !(payload instanceof Uint8Array)) return ok(payload);
  try {
    return ok(JSON.parse(typeof payload === 'string' ? payload : Buffer.from(payload).toString('utf8')));
  } catch (error) {
    return fail('BAD_JSON', (error as Error).message);
  }
}

function schemaFail(error: z.ZodError) {
  const first = error.issues[0];
  const where = first?.path.join('.') || '(payload)';
  return fail('BAD_SCHEMA' as const, `${where}: ${first?.message ?? 'invalid'}`);
}

/** Validates one message from `topic` for `store`. `payload` may be raw bytes, a string or parsed JSON. */
export function validateMessage(store: Store, topic: string, payload: unknown): Result<DeviceMessage, RejectCode> {
  const t = parseTopic(topic);
  if (!t.ok) return t;
  if (t.value.storeId !== store.def.id) return fail('WRONG_STORE', `topic is for store ${t.value.storeId}`);
  const json = parseJson(payload);
  if (!json.ok) return json;
  const body = json.value as { v?: unknown } | null;
  if (body && typeof body === 'object' && 'v' in body && body.v !== PROTOCOL_VERSION) {
    return fail('BAD_VERSION', `protocol version ${String(body.v)} is not supported (want ${PROTOCOL_VERSION})`);
  }
  const { kind, deviceId } = t.value;
  switch (kind) {
    case 'plate.weight': {
      const plate = store.plates.get(deviceId);
      if (!plate) return fail('UNKNOWN_DEVICE', `unknown plate "${deviceId}"`);
      const p = plateWeightSchema.safeParse(json.value);
      if (!p.success) return schemaFail(p.error);
      const max = plate.plate.maxGrams * 1.5;
      if (beyond(p.data.grams, max)) return fail('IMPOSSIBLE_VALUE', `reading beyond ±${max} g for plate ${deviceId}`);
      return checkTs({ kind, plateId: deviceId, ...p.data });
    }
    case 'camera.people': {
      const camera = store.cameras.get(deviceId);
      if (!camera) return fail('UNKNOWN_DEVICE', `unknown camera "${deviceId}"`);
      const p = cameraPeopleSchema.safeParse(json.value);
      if (!p.success) return schemaFail(p.error);
      return checkTs({ kind, cameraId: deviceId, ...p.data });
    }
    case 'gate.scan':
    case 'gate.pass': {
      if (!store.gates.has(deviceId)) return fail('UNKNOWN_DEVICE', `unknown gate "${deviceId}"`);
      if (kind === 'gate.scan') {
        const p = gateScanSchema.safeParse(json.value);
        return p.success ? checkTs({ kind, gateId: deviceId, ...p.data }) : schemaFail(p.error);
      }
      const p = gatePassSchema.safeParse(json.value);
      return p.success ? checkTs({ kind, gateId: deviceId, ...p.data }) : schemaFail(p.error);
    }
    case 'item.found':
    case 'found.assign':
    case 'stock.count':
      return validateHandheld(store, kind, deviceId, json.value);
  }
}

/** Staff handhelds are not listed in the store definition; their ids need only be plain names. */
const HANDHELD_ID = /^[A-Za-z0-9_.-]{1,64}$/;

function validateHandheld(
  store: Store,
  kind: StaffMessage['kind'],
  handheldId: string,
  body: unknown,
): Result<DeviceMessage, RejectCode> {
  if (!HANDHELD_ID.test(handheldId))
    return fail('UNKNOWN_DEVICE', `handheld id "${handheldId.slice(0, 80)}" is not a plain name`);
  if (kind === 'found.assign') {
    const p = foundAssignSchema.safeParse(body);
    return p.success ? checkTs({ kind, handheldId, ...p.data }) : schemaFail(p.error);
  }
  if (kind === 'stock.count') return validateCount(store, handheldId, body);
  const p = itemFoundSchema.safeParse(body);
  if (!p.success) return schemaFail(p.error);
  if (!store.products.has(p.data.sku)) return fail('IMPOSSIBLE_VALUE', `no product "${p.data.sku}" in this store`);
  if (!pointInPolygon(p.data.at, store.def.floor.outline))
    return fail('IMPOSSIBLE_VALUE', `found at [${p.data.at.join(', ')}], outside the floor`);
  return checkTs({ kind, handheldId, ...p.data });
}

/** A count names a plate of this store and only products of this store. */
function validateCount(store: Store, handheldId: string, body: unknown): Result<DeviceMessage, RejectCode> {
  const p = stockCountSchema.safeParse(body);
  if (!p.success) return schemaFail(p.error);
  if (!store.plates.has(p.data.plateId)) return fail('IMPOSSIBLE_VALUE', `no plate "${p.data.plateId}" in this store`);
  const unknown = Object.keys(p.data.counts).find((sku) => !store.products.has(sku));
  if (unknown !== undefined) return fail('IMPOSSIBLE_VALUE', `no product "${unknown.slice(0, 80)}" in this store`);
  return checkTs({ kind: 'stock.count', handheldId, ...p.data });
}

/** Whether any reading is beyond ±max (a loop, not a closure per batch: this runs on every plate message). */
function beyond(grams: readonly number[], max: number): boolean {
  for (let i = 0; i < grams.length; i++) if (Math.abs(grams[i]!) > max) return true;
  return false;
}

function checkTs(message: DeviceMessage): Result<DeviceMessage, RejectCode> {
  if (message.ts < MIN_TS)
    return fail('IMPOSSIBLE_VALUE', `timestamp ${message.ts} is before 2020: device clock unset`);
  return ok(message);
}
