/**
 * The device wire protocol (version 1): MQTT topics under `walkout/<store>/` and their JSON payloads.
 * Schemas here are the single source of the payload types; see docs/protocol.md for units and meaning.
 */
import { z } from 'zod';
import { isDetectionArray, isKeypoints, isNumberArray, wholeArray } from './whole-array.ts';

export const PROTOCOL_VERSION = 1;

const ts = z.number().int().nonnegative();
const version = z.literal(PROTOCOL_VERSION);

/**
 * A shelf controller's batch of one plate's readings: `grams[i]` was sampled at `ts + i * 1000 / hz`. A rate below
 * 1 Hz (even a keep-alive reports 1) would stretch a batch over minutes or past any finite time.
 */
export const plateWeightSchema = z.object({
  v: version,
  ts,
  hz: z.number().min(1).max(1000),
  // One check for the whole batch (the engine's hottest input): see whole-array.ts.
  grams: wholeArray(z.array(z.number()).min(1).max(1000), (g) => isNumberArray(g, 1, 1000)),
});

const KEYPOINTS = 17;
const keypoint = z.tuple([z.number(), z.number(), z.number().min(0).max(1)]);

/** One person found by a pose detector in one frame, in pixels; 17 keypoints in COCO order. */
export const detectionSchema = z.object({
  box: z.tuple([z.number(), z.number(), z.number().nonnegative(), z.number().nonnegative()]),
  score: z.number().min(0).max(1),
  keypoints: wholeArray(z.array(keypoint).length(KEYPOINTS), (k) => isKeypoints(k, KEYPOINTS)),
});

export const cameraPeopleSchema = z.object({
  v: version,
  ts,
  frame: z.number().int().nonnegative(),
  // One check for all detections of a frame (up to 200 × 56 numbers): see whole-array.ts.
  people: wholeArray(z.array(detectionSchema).max(200), (p) => isDetectionArray(p, 200, KEYPOINTS)),
});

export const gateScanSchema = z.object({ v: version, ts, code: z.string().min(1).max(4096) });
export const gatePassSchema = z.object({ v: version, ts, direction: z.enum(['in', 'out']) });
/** A staff member found an item on the floor (a handheld scan, or the operator console): what, and where. */
export const itemFoundSchema = z.object({
  v: version,
  ts,
  sku: z.string().min(1).max(200),
  at: z.tuple([z.number(), z.number()]),
});
/** Staff say whose a find left to them was (`sessionId`), or nobody's (null); `staff` names who decided. */
export const foundAssignSchema = z.object({
  v: version,
  ts,
  foundId: z.string().min(1).max(200),
  sessionId: z.string().min(1).max(200).nullable(),
  staff: z.string().min(1).max(80),
});
/** Most products one count may name: a plate holds a handful (a mixed plate a few more). */
const MAX_COUNTED_SKUS = 50;
/**
 * Staff counted a plate: the units of each named SKU now on it (others unchanged), `staff` names who. The count is
 * the new truth for the plate's stock (engine and dashboard), and is journalled like any message, so it survives a
 * restart.
 */
export const stockCountSchema = z.object({
  v: version,
  ts,
  plateId: z.string().min(1).max(200),
  counts: z
    .record(z.string().min(1).max(200), z.number().int().nonnegative().max(100_000))
    .refine((c) => Object.keys(c).length >= 1 && Object.keys(c).length <= MAX_COUNTED_SKUS, {
      message: `name 1 to ${MAX_COUNTED_SKUS} products`,
    }),
  staff: z.string().min(1).max(80),
});
export const gateCommandSchema = z.object({
  v: version,
  ts,
  action: z.enum(['open', 'deny']),
  admit: z.number().int().nonnegative(),
  reason: z.string(),
});

export type PlateWeightPayload = z.infer<typeof plateWeightSchema>;
export type Detection = z.infer<typeof detectionSchema>;
export type CameraPeoplePayload = z.infer<typeof cameraPeopleSchema>;
export type GateScanPayload = z.infer<typeof gateScanSchema>;
export type GatePassPayload = z.infer<typeof gatePassSchema>;
export type ItemFoundPayload = z.infer<typeof itemFoundSchema>;
export type FoundAssignPayload = z.infer<typeof foundAssignSchema>;
export type StockCountPayload = z.infer<typeof stockCountSchema>;
export type GateCommandPayload = z.infer<typeof gateCommandSchema>;

/** A validated device message as the engine sees it: a tagged union, device id resolved from the topic. */
export type DeviceMessage =
  | ({ kind: 'plate.weight'; plateId: string } & PlateWeightPayload)
  | ({ kind: 'camera.people'; cameraId: string } & CameraPeoplePayload)
  | ({ kind: 'gate.scan'; gateId: string } & GateScanPayload)
  | ({ kind: 'gate.pass'; gateId: string } & GatePassPayload)
  | ({ kind: 'item.found'; handheldId: string } & ItemFoundPayload)
  | ({ kind: 'found.assign'; handheldId: string } & FoundAssignPayload)
  | ({ kind: 'stock.count'; handheldId: string } & StockCountPayload);

export type DeviceMessageKind = DeviceMessage['kind'];

/** What staff tell the store from a handheld: not sensor readings, so not held for reordering (engine.ts). */
export type StaffMessage = Extract<DeviceMessage, { kind: 'item.found' | 'found.assign' | 'stock.count' }>;
/** Sensor and gate messages: the stream the engine orders by event time. */
export type SensorMessage = Exclude<DeviceMessage, StaffMessage>;

export const isStaffKind = (kind: DeviceMessageKind): kind is StaffMessage['kind'] =>
  kind === 'item.found' || kind === 'found.assign' || kind === 'stock.count';

export const isStaffMessage = (m: DeviceMessage): m is StaffMessage => isStaffKind(m.kind);

/** COCO keypoint order used by `keypoints`. */
export const COCO_KEYPOINTS = [
  'nose',
  'left_eye',
  'right_eye',
  'left_ear',
  'right_ear',
  'left_shoulder',
  'right_shoulder',
  'left_elbow',
  'right_elbow',
  'left_wrist',
  'right_wrist',
  'left_hip',
  'right_hip',
  'left_knee',
  'right_knee',
  'left_ankle',
  'right_ankle',
] as const;

export const KP = Object.fromEntries(COCO_KEYPOINTS.map((name, i) => [name, i])) as {
  readonly [K in (typeof COCO_KEYPOINTS)[number]]: number;
};
