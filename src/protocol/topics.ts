/**
 * The table of MQTT topics: which topic carries which payload. `walkout/<store>/<device kind>/<device>/<message>`.
 */
import { fail, ok, type Result } from '../errors.ts';
import type { DeviceMessageKind } from './messages.ts';

export const TOPIC_ROOT = 'walkout';

export const TOPICS = {
  'plate.weight': { device: 'plates', message: 'weight' },
  'camera.people': { device: 'cameras', message: 'people' },
  'gate.scan': { device: 'gates', message: 'scan' },
  'gate.pass': { device: 'gates', message: 'pass' },
  'item.found': { device: 'handhelds', message: 'found' },
  'found.assign': { device: 'handhelds', message: 'assign' },
  'stock.count': { device: 'handhelds', message: 'count' },
} as const satisfies Record<DeviceMessageKind, { device: string; message: string }>;

const BY_PATH = new Map<string, DeviceMessageKind>(
  (Object.entries(TOPICS) as [DeviceMessageKind, { device: string; message: string }][]).map(([kind, t]) => [
    `${t.device}/${t.message}`,
    kind,
  ]),
);

/** The topic caches stop growing here (a store has a fixed set of devices; more means junk topics). */
const MAX_CACHED_TOPICS = 100_000;

/**
 * Topic strings already built, per store, kind and device: a device sends on one topic, so handing out the same
 * string (its hash computed once) spares the sender a concatenation and the receiver a re-hash per message.
 */
const built = new Map<string, Map<DeviceMessageKind, Map<string, string>>>();

export function topicFor(storeId: string, kind: DeviceMessageKind, deviceId: string): string {
  let byKind = built.get(storeId);
  if (!byKind) {
    byKind = new Map();
    built.set(storeId, byKind);
  }
  let byDevice = byKind.get(kind);
  if (!byDevice) {
    byDevice = new Map();
    byKind.set(kind, byDevice);
  }
  let topic = byDevice.get(deviceId);
  if (topic === undefined) {
    const t = TOPICS[kind];
    topic = `${TOPIC_ROOT}/${storeId}/${t.device}/${deviceId}/${t.message}`;
    if (byDevice.size < MAX_CACHED_TOPICS) byDevice.set(deviceId, topic);
  }
  return topic;
}

export function gateCommandTopic(storeId: string, gateId: string): string {
  return `${TOPIC_ROOT}/${storeId}/gates/${gateId}/command`;
}

/** Subscription pattern for every device message of a store. */
export function deviceTopicsPattern(storeId: string): string {
  return `${TOPIC_ROOT}/${storeId}/+/+/+`;
}

export type ParsedTopic = { storeId: string; kind: DeviceMessageKind; deviceId: string };

/** Parsed device topics: a store has a fixed set, so each is split once. Bad topics are not kept. */
const parsed = new Map<string, { ok: true; value: ParsedTopic }>();

export function parseTopic(topic: string): Result<ParsedTopic, 'BAD_TOPIC'> {
  const cached = parsed.get(topic);
  if (cached) return cached;
  const result = splitTopic(topic);
  if (result.ok && parsed.size < MAX_CACHED_TOPICS) parsed.set(topic, result);
  return result;
}

function splitTopic(topic: string): Result<ParsedTopic, 'BAD_TOPIC'> {
  const parts = topic.split('/');
  if (parts.length !== 5 || parts[0] !== TOPIC_ROOT) return fail('BAD_TOPIC', `not a walkout device topic: ${topic}`);
  const [, storeId, device, deviceId, message] = parts as [string, string, string, string, string];
  const kind = BY_PATH.get(`${device}/${message}`);
  if (!kind) return fail('BAD_TOPIC', `unknown message ${device}/…/${message}`);
  return ok({ storeId, kind, deviceId });
}
