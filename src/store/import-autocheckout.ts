/**
 * Imports the AutoCheckout "cps-test" data (CPS-IoT 2020 Nanostore: plates CSV at 60 Hz, planogram.csv,
 * store_meta/*.json) into a Walkout store definition and a recording: `<out>/store.yaml` + `<out>/recording.ndjson`.
 * Geometry: gondola/shelf/plate poses are metres in each parent's frame (translation = min corner, rotation about z);
 * calibration.json is in inches (world_ltrb and camera positions), converted here to metres.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify as toYaml } from 'yaml';
import { fail, ok, type Result, WalkoutError } from '../errors.ts';
import { demoEntryCode } from '../identity/demo-authorizer.ts';
import { type RecordedMessage, RecordingWriter } from '../protocol/recording.ts';
import { topicFor } from '../protocol/topics.ts';
import { parseStore } from './load-store.ts';
import type { CameraDef, Fixture, PlateDef, Product, StoreDef, Vec2 } from './schema.ts';
import type { Store } from './store.ts';

export const AUTOCHECKOUT_STORE_ID = 'autocheckout-cps';
export const AUTOCHECKOUT_GATE_ID = 'front-door';
const INCH = 0.0254;
/** The real system sent 12 samples per plate per batch. */
const BATCH = 12;
/** Units per SKU assumed on a full plate (the data does not say). */
const CAPACITY = 10;
/** Unit weight sd as a fraction of the mean (the planogram gives only the mean). */
const UNIT_SD = 0.03;
const PLATE_THICKNESS = 0.02;
const RATED_GRAMS = 20000;
/** The video files are 640×360 at 10 fps; K in calibration.json is normalised to the image size. */
const RESOLUTION: [number, number] = [640, 360];
const FPS = 10;

type Pose = { transform: { translation: { x: number; y: number; z: number }; rotation: { z: number } } };
type Coordinates = Pose & { dim_x: number; dim_y: number; dim_z: number };
interface GondolaJson {
  id: { id: number };
  coordinates: Coordinates;
}
interface ShelfJson {
  id: { gondola_id: { id: number }; shelf_index: number };
  coordinates: Coordinates;
}
interface PlateJson {
  id: { shelf_id: { gondola_id: { id: number }; shelf_index: number }; plate_index: number };
  coordinates: Coordinates;
}
interface CameraJson {
  K: number[][];
  Tw: number[][];
  dist_coeffs: number[];
}
interface CalibrationJson {
  world_ltrb: [number, number, number, number];
  cameras: Record<string, CameraJson>;
}
export interface PlanogramRow {
  name: string;
  gondola: number;
  shelf: number;
  plate: number;
  weight: number;
  price: number;
}

export const plateIdOf = (g: number, s: number, p: number) => `g${g}-s${s}-p${p}`;

/** Splits one CSV line, honouring double quotes ("Werther's Original, Caramel Popcorn"). */
export function parseCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

export function parsePlanogram(text: string): PlanogramRow[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  return lines.slice(1).map((line) => {
    const [name, gondola, shelf, plate, weight, price] = parseCsvLine(line);
    return {
      name: (name ?? '').trim(),
      gondola: Number(gondola),
      shelf: Number(shelf),
      plate: Number(plate),
      weight: Number(weight),
      price: Number(price),
    };
  });
}

/** A SKU from a product name: lower-case letters and digits joined by dashes. */
export function skuOf(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'product'
  );
}

/** Products on shelves (Weight -1 or no gondola: not on a shelf in this test), and SKU by product name. */
function buildProducts(rows: PlanogramRow[]): { products: Product[]; skuByName: Map<string, string> } {
  const skuByName = new Map<string, string>();
  const products: Product[] = [];
  for (const r of rows) {
    if (r.gondola < 0 || !(r.weight > 0) || skuByName.has(r.name)) continue;
    let sku = skuOf(r.name);
    for (let k = 2; products.some((p) => p.sku === sku); k++) sku = `${skuOf(r.name)}-${k}`;
    skuByName.set(r.name, sku);
    const mean = Math.round(r.weight * 100) / 100;
    products.push({
      sku,
      name: r.name,
      price: Math.round(r.price * 100),
      unitWeight: { mean, sd: Math.round(mean * UNIT_SD * 100) / 100 },
      ageRestricted: false,
    });
  }
  return { products, skuByName };
}

type V3 = [number, number, number];

/** Gondola frame → world: rotate about z by the gondola's yaw, then translate. */
function toWorld(g: Coordinates, p: V3): V3 {
  const { translation: t, rotation } = g.transform;
  const c = Math.cos(rotation.z);
  const s = Math.sin(rotation.z);
  return [t.x + c * p[0] - s * p[1], t.y + s * p[0] + c * p[1], t.z + p[2]];
}

function worldBox(g: Coordinates, min: V3, max: V3): { min: V3; max: V3 } {
  const corners: V3[] = [];
  for (const x of [min[0], max[0]]) for (const y of [min[1], max[1]]) corners.push(toWorld(g, [x, y, 0]));
  const r = (v: number) => Math.round(v * 10000) / 10000;
  return {
    min: [r(Math.min(...corners.map((c) => c[0]))), r(Math.min(...corners.map((c) => c[1]))), r(min[2])],
    max: [r(Math.max(...corners.map((c) => c[0]))), r(Math.max(...corners.map((c) => c[1]))), r(max[2])],
  };
}

export interface AutoCheckoutMeta {
  gondolas: GondolaJson[];
  shelves: ShelfJson[];
  plates: PlateJson[];
  calibration: CalibrationJson;
  planogram: PlanogramRow[];
  /** Plates that have a readings file, as "g-s-p", with their largest |reading| (cells are not tared). */
  recorded: Map<string, number>;
}

function buildFixtures(meta: AutoCheckoutMeta, skuByName: Map<string, string>): Fixture[] {
  const skusAt = new Map<string, string[]>();
  for (const r of meta.planogram) {
    const sku = skuByName.get(r.name);
    if (r.gondola < 0 || !sku) continue;
    const key = `${r.gondola}-${r.shelf}-${r.plate}`;
    const list = skusAt.get(key) ?? [];
    if (!list.includes(sku)) list.push(sku);
    skusAt.set(key, list);
  }
  const fixtures: Fixture[] = [];
  for (const g of [...meta.gondolas].sort((a, b) => a.id.id - b.id.id)) {
    const gc = g.coordinates;
    const shelves: Fixture['shelves'] = [];
    let depth = 0;
    for (const s of meta.shelves.filter((x) => x.id.gondola_id.id === g.id.id).sort(byShelf)) {
      const st = s.coordinates.transform.translation;
      depth = Math.max(depth, -st.y);
      const plates: PlateDef[] = [];
      const onShelf = meta.plates.filter(
        (p) => p.id.shelf_id.gondola_id.id === g.id.id && p.id.shelf_id.shelf_index === s.id.shelf_index,
      );
      for (const p of onShelf.sort((a, b) => a.id.plate_index - b.id.plate_index)) {
        const key = `${g.id.id}-${s.id.shelf_index}-${p.id.plate_index}`;
        const skus = skusAt.get(key);
        // Plates without readings (or without products) cannot take part: leave them out.
        if (!skus || !meta.recorded.has(key)) continue;
        const pt = p.coordinates.transform.translation;
        const x0 = st.x + pt.x;
        const y0 = st.y + pt.y;
        plates.push({
          id: plateIdOf(g.id.id, s.id.shelf_index, p.id.plate_index),
          box: worldBox(
            gc,
            [x0, y0, st.z],
            [x0 + p.coordinates.dim_x, y0 + p.coordinates.dim_y, st.z + PLATE_THICKNESS],
          ),
          skus,
          // The dataset says which products a plate holds, not where on it: no lanes.
          ...(skus.length > 1 ? { mixed: true } : {}),
          capacity: skus.map(() => CAPACITY),
          // Rated 20 kg, but readings carry an un-tared offset (two cells sit near 33 kg and 64 kg): keep them valid.
          maxGrams: Math.max(RATED_GRAMS, Math.ceil(meta.recorded.get(key)! / 1000) * 1000),
        });
      }
      if (plates.length > 0) shelves.push({ id: `g${g.id.id}-s${s.id.shelf_index}`, plates });
    }
    if (shelves.length === 0) continue;
    const yaw = gc.transform.rotation.z;
    const facing: Vec2 = [round4(Math.sin(yaw)), round4(-Math.cos(yaw))];
    fixtures.push({
      id: `g${g.id.id}`,
      kind: 'gondola',
      box: worldBox(gc, [0, -depth, 0], [gc.dim_x, gc.dim_y, gc.dim_z]),
      facing,
      shelves,
    });
  }
  return fixtures;
}

const byShelf = (a: ShelfJson, b: ShelfJson) => a.id.shelf_index - b.id.shelf_index;
const round4 = (v: number) => Math.round(v * 10000) / 10000 + 0;

/** RGB cameras: K normalised → pixels at 640×360; Tw is camera-to-world (z forward, y down) in inches. */
export function buildCameras(calibration: CalibrationJson): CameraDef[] {
  return Object.entries(calibration.cameras)
    .filter(([id]) => /^\d+$/.test(id))
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([id, c]) => ({
      id: `cam${id}`,
      resolution: RESOLUTION,
      fps: FPS,
      intrinsics: {
        fx: round4(c.K[0]![0]! * RESOLUTION[0]),
        fy: round4(c.K[1]![1]! * RESOLUTION[1]),
        cx: round4(c.K[0]![2]! * RESOLUTION[0]),
        cy: round4(c.K[1]![2]! * RESOLUTION[1]),
      },
      pose: {
        position: [0, 1, 2].map((i) => round4(c.Tw[i]![3]! * INCH)) as V3,
        rotation: [0, 1, 2].flatMap((i) => [0, 1, 2].map((j) => c.Tw[i]![j]!)),
      },
      distortion: c.dist_coeffs,
    }));
}

/** The whole store definition (not yet validated). */
export function buildStoreDef(meta: AutoCheckoutMeta): StoreDef {
  const { products, skuByName } = buildProducts(meta.planogram);
  const [l, t, r, b] = meta.calibration.world_ltrb.map((v) => round4(v * INCH)) as [number, number, number, number];
  // A synthetic door on the front edge (y = t): walking from a to b (+x), "in" (left) is +y, into the store.
  const a: Vec2 = [round4(l + 0.5), t];
  const bEnd: Vec2 = [round4(l + 1.5), t];
  return {
    id: AUTOCHECKOUT_STORE_ID,
    name: 'AutoCheckout Nanostore (cps-test-01)',
    currency: 'USD',
    timezone: 'America/New_York',
    mode: 'single-shopper',
    floor: {
      outline: [
        [l, t],
        [r, t],
        [r, b],
        [l, b],
      ],
      entryArea: [a, bEnd, [bEnd[0], round4(t + 1)], [a[0], round4(t + 1)]],
    },
    products,
    fixtures: buildFixtures(meta, skuByName),
    cameras: buildCameras(meta.calibration),
    gates: [{ id: AUTOCHECKOUT_GATE_ID, kind: 'both', line: [a, bEnd] }],
  };
}

/** Plate readings as 12-sample 60 Hz batches, merged in ts order, framed by a gate scan, a pass in and a pass out. */
export function buildRecording(storeId: string, series: Map<string, [number, number][]>): RecordedMessage[] {
  const batches: { ts: number; plateId: string; grams: number[] }[] = [];
  for (const [plateId, rows] of series) {
    for (let i = 0; i + BATCH <= rows.length; i += BATCH) {
      const grams = rows.slice(i, i + BATCH).map(([, g]) => Math.round(g * 1000) / 1000);
      batches.push({ ts: Math.round(rows[i]![0] * 1000), plateId, grams });
    }
  }
  batches.sort((x, y) => x.ts - y.ts || (x.plateId < y.plateId ? -1 : x.plateId > y.plateId ? 1 : 0));
  const first = batches[0]?.ts ?? 1_600_000_000_000;
  const last = (batches[batches.length - 1]?.ts ?? first) + 200;
  const gate = (kind: 'gate.scan' | 'gate.pass') => topicFor(storeId, kind, AUTOCHECKOUT_GATE_ID);
  return [
    { topic: gate('gate.scan'), payload: { v: 1, ts: first - 2000, code: demoEntryCode('cps-shopper', 1) } },
    { topic: gate('gate.pass'), payload: { v: 1, ts: first - 1000, direction: 'in' } },
    ...batches.map((x) => ({
      topic: topicFor(storeId, 'plate.weight', x.plateId),
      payload: { v: 1, ts: x.ts, hz: 60, grams: x.grams },
    })),
    { topic: gate('gate.pass'), payload: { v: 1, ts: last + 1000, direction: 'out' } },
  ];
}

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

/** Reads the data folder: metadata and every plate's readings, keyed "g-s-p". */
export function readAutoCheckout(dir: string): { meta: AutoCheckoutMeta; series: Map<string, [number, number][]> } {
  const series = new Map<string, [number, number][]>();
  const recorded = new Map<string, number>();
  for (const name of readdirSync(join(dir, 'plates')).sort()) {
    const m = /^gondola_(\d+)_shelf_(\d+)_plate_(\d+)\.csv$/.exec(name);
    if (!m) continue;
    const rows = readSeries(join(dir, 'plates', name));
    const key = `${m[1]}-${m[2]}-${m[3]}`;
    series.set(key, rows);
    recorded.set(
      key,
      rows.reduce((peak, [, g]) => Math.max(peak, Math.abs(g)), 0),
    );
  }
  const meta: AutoCheckoutMeta = {
    gondolas: readJson<{ gondolas: GondolaJson[] }>(join(dir, 'store_meta', 'Gondolas.json')).gondolas,
    shelves: readJson<{ shelves: ShelfJson[] }>(join(dir, 'store_meta', 'Shelves.json')).shelves,
    plates: readJson<{ plates: PlateJson[] }>(join(dir, 'store_meta', 'Plates.json')).plates,
    calibration: readJson<CalibrationJson>(join(dir, 'store_meta', 'calibration.json')),
    planogram: parsePlanogram(readFileSync(join(dir, 'planogram.csv'), 'utf8')),
    recorded,
  };
  return { meta, series };
}

function readSeries(file: string): [number, number][] {
  return readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '')
    .map((l) => l.split(',').map(Number) as [number, number])
    .filter(([t, g]) => Number.isFinite(t) && Number.isFinite(g));
}

/** The imported visit: the store definition, its indexed form, and the recording's messages in order. */
export interface AutoCheckoutVisit {
  def: StoreDef;
  store: Store;
  messages: RecordedMessage[];
}

/** Converts the data folder in memory. Throws WalkoutError IMPORT_FAILED when it is missing or malformed. */
export function importAutoCheckout(dir: string): AutoCheckoutVisit {
  let def: StoreDef;
  let raw: Map<string, [number, number][]>;
  try {
    const read = readAutoCheckout(dir);
    raw = read.series;
    def = buildStoreDef(read.meta);
  } catch (error) {
    throw new WalkoutError('IMPORT_FAILED', `cannot read ${dir}: ${(error as Error).message}`);
  }
  const parsed = parseStore(def);
  if (!parsed.ok) throw new WalkoutError('IMPORT_FAILED', `the converted store is not valid:\n${parsed.reason}`);
  const series = new Map<string, [number, number][]>();
  for (const id of parsed.value.plates.keys()) {
    const m = /^g(\d+)-s(\d+)-p(\d+)$/.exec(id)!;
    series.set(id, raw.get(`${m[1]}-${m[2]}-${m[3]}`)!);
  }
  return { def, store: parsed.value, messages: buildRecording(def.id, series) };
}

export interface ImportSummary {
  storeFile: string;
  recordingFile: string;
  products: number;
  plates: number;
  cameras: number;
  messages: number;
}

/** Converts `dir` into `<outDir>/store.yaml` and `<outDir>/recording.ndjson`. */
export async function writeAutoCheckout(dir: string, outDir: string): Promise<Result<ImportSummary, 'IMPORT_FAILED'>> {
  let visit: AutoCheckoutVisit;
  try {
    visit = importAutoCheckout(dir);
  } catch (error) {
    return fail('IMPORT_FAILED', (error as Error).message);
  }
  mkdirSync(outDir, { recursive: true });
  const storeFile = join(outDir, 'store.yaml');
  const recordingFile = join(outDir, 'recording.ndjson');
  writeFileSync(storeFile, toYaml(visit.def, { lineWidth: 0, aliasDuplicateObjects: false }));
  const writer = new RecordingWriter(recordingFile);
  for (const m of visit.messages) await writer.write(m);
  await writer.close();
  return ok({
    storeFile,
    recordingFile,
    products: visit.def.products.length,
    plates: visit.store.plates.size,
    cameras: visit.def.cameras.length,
    messages: visit.messages.length,
  });
}
