/**
 * Store definition: products, fixtures with shelves and plates, cameras, gates and the floor.
 * Owns the schema (zod) and the types that flow from it. Coordinates are store metres, z up;
 * prices are integer minor units; weights are grams.
 */
import { z } from 'zod';

const vec3 = z.tuple([z.number(), z.number(), z.number()]);
const vec2 = z.tuple([z.number(), z.number()]);
const id = z
  .string()
  .min(1)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'only letters, digits and _ . : -');

/** An axis-aligned box in store coordinates: `min` and `max` corners. */
export const boxSchema = z
  .object({ min: vec3, max: vec3 })
  .refine(
    (b) => b.min.every((v, i) => v <= (b.max[i] ?? Number.NEGATIVE_INFINITY)),
    'min must be <= max on every axis',
  );

export const productSchema = z.object({
  sku: id,
  name: z.string().min(1),
  price: z.number().int().nonnegative(),
  unitWeight: z.object({ mean: z.number().positive(), sd: z.number().nonnegative() }),
  barcode: z.string().optional(),
  ageRestricted: z.boolean().default(false),
});

export const plateSchema = z.object({
  id,
  box: boxSchema,
  /**
   * SKUs stocked on this plate; more than one makes it a multi-SKU plate, its SKUs side by side in lanes of equal
   * width in this order, from the plate's lower x (or y, for a fixture facing along y) end.
   */
  skus: z.array(id).min(1),
  /** The SKUs lie mixed anywhere on the plate, not in lanes (an imported planogram that does not say where). */
  mixed: z.boolean().optional(),
  /** Units of each SKU the plate holds when full, in `skus` order. */
  capacity: z.array(z.number().int().positive()).min(1),
  /** Load cell rating in grams; readings beyond it are impossible. */
  maxGrams: z.number().positive().default(20000),
});

export const shelfSchema = z.object({ id, plates: z.array(plateSchema).min(1) });

export const fixtureSchema = z.object({
  id,
  kind: z.enum(['gondola', 'fridge', 'counter']),
  box: boxSchema,
  /** Unit vector on the floor pointing from the fixture to the aisle shoppers reach from. */
  facing: vec2,
  shelves: z.array(shelfSchema).min(1),
});

/** Pinhole camera: intrinsics in pixels and pose as camera-to-world rotation (row-major 3×3) and position. */
export const cameraSchema = z.object({
  id,
  resolution: z.tuple([z.number().int().positive(), z.number().int().positive()]),
  fps: z.number().positive(),
  intrinsics: z.object({ fx: z.number().positive(), fy: z.number().positive(), cx: z.number(), cy: z.number() }),
  pose: z.object({
    position: vec3,
    rotation: z.array(z.number()).length(9),
  }),
  distortion: z.array(z.number()).default([]),
});

export const gateSchema = z.object({
  id,
  kind: z.enum(['entry', 'exit', 'both']),
  /** The floor segment a person crosses; "in" is to the left walking from a to b. */
  line: z.tuple([vec2, vec2]),
  /** The gate reports each body passing (`gate.pass`; the default): with cameras, tracks are bound to those passes. */
  beam: z.boolean().optional(),
});

/** An IANA time zone this runtime knows (receipts and the day's figures are in it). */
export function validTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export const storeSchema = z.object({
  id,
  name: z.string().min(1),
  currency: z.string().length(3),
  timezone: z.string().refine(validTimeZone, 'not an IANA time zone (e.g. Europe/Paris)').default('UTC'),
  /** `single-shopper`: no cameras needed, every event goes to the one shopper inside (kiosks, micro-markets). */
  mode: z.enum(['multi-shopper', 'single-shopper']).default('multi-shopper'),
  floor: z.object({
    outline: z.array(vec2).min(3),
    /** Where new people may appear: the area just inside the entry gates. */
    entryArea: z.array(vec2).min(3),
  }),
  products: z.array(productSchema).min(1),
  fixtures: z.array(fixtureSchema).min(1),
  cameras: z.array(cameraSchema).default([]),
  gates: z.array(gateSchema).min(1),
});

export type Box = z.infer<typeof boxSchema>;
export type Product = z.infer<typeof productSchema>;
export type PlateDef = z.infer<typeof plateSchema>;
export type ShelfDef = z.infer<typeof shelfSchema>;
export type Fixture = z.infer<typeof fixtureSchema>;
export type CameraDef = z.infer<typeof cameraSchema>;
export type GateDef = z.infer<typeof gateSchema>;
export type StoreDef = z.infer<typeof storeSchema>;
export type Vec2 = [number, number];
export type Vec3 = [number, number, number];
