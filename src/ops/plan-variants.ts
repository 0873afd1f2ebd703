/**
 * Layout variants the planner compares side by side: the store as designed, the same store with every other camera
 * dropped, and weight only (no cameras at all, still multi-shopper), or the variants an operator lists in a YAML
 * file. Each variant is a whole store definition, validated like any store file.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { fail, ok, type Result } from '../errors.ts';
import { parseStore } from '../store/load-store.ts';
import { cameraSchema, type StoreDef } from '../store/schema.ts';
import type { Store } from '../store/store.ts';

export interface Variant {
  name: string;
  description: string;
  store: Store;
}

const variantSpecSchema = z.object({
  name: z.string().min(1),
  description: z.string().optional(),
  /** Replace the store's cameras with these. */
  cameras: z.array(cameraSchema).optional(),
  /** Keep only these camera ids / drop these ids. */
  keepCameras: z.array(z.string()).optional(),
  dropCameras: z.array(z.string()).optional(),
  /** Keep every n-th camera (2: every other one). */
  keepEvery: z.number().int().positive().optional(),
  mode: z.enum(['multi-shopper', 'single-shopper']).optional(),
});
const variantsFileSchema = z.object({ variants: z.array(variantSpecSchema).min(1) });
export type VariantSpec = z.infer<typeof variantSpecSchema>;

/** Every other camera, in the store file's order (the first is kept). */
export function everyOtherCamera(def: StoreDef): StoreDef['cameras'] {
  return def.cameras.filter((_, i) => i % 2 === 0);
}

/** The variants compared when the operator names none. */
export function defaultVariantSpecs(def: StoreDef): VariantSpec[] {
  const n = def.cameras.length;
  const specs: VariantSpec[] = [{ name: `as designed (${n} cameras)`, description: 'the store file unchanged' }];
  if (n >= 2) {
    const kept = Math.ceil(n / 2);
    specs.push({ name: `${kept} cameras`, description: 'every other camera dropped', keepEvery: 2 });
  }
  if (n > 0) {
    specs.push({
      name: 'weight only',
      description: 'no cameras: shelf weights and gates only, still several shoppers at once',
      cameras: [],
    });
  }
  return specs;
}

export function applyVariant(def: StoreDef, spec: VariantSpec): Result<Variant, 'VARIANT_INVALID'> {
  let cameras = spec.cameras ?? def.cameras;
  // A mistyped id would make a variant the same as the store while it claims to differ.
  const unknown = [...(spec.keepCameras ?? []), ...(spec.dropCameras ?? [])].filter(
    (id) => !cameras.some((c) => c.id === id),
  );
  if (unknown.length > 0) return fail('VARIANT_INVALID', `variant "${spec.name}": no camera ${unknown.join(', ')}`);
  if (spec.keepCameras) cameras = cameras.filter((c) => spec.keepCameras!.includes(c.id));
  if (spec.dropCameras) cameras = cameras.filter((c) => !spec.dropCameras!.includes(c.id));
  if (spec.keepEvery) cameras = cameras.filter((_, i) => i % spec.keepEvery! === 0);
  const next = { ...def, cameras, mode: spec.mode ?? def.mode };
  const parsed = parseStore(next);
  if (!parsed.ok) return fail('VARIANT_INVALID', `variant "${spec.name}": ${parsed.reason}`);
  return ok({ name: spec.name, description: spec.description ?? describe(def, next), store: parsed.value });
}

function describe(before: StoreDef, after: StoreDef): string {
  const parts = [`${after.cameras.length} of ${before.cameras.length} cameras`];
  if (after.mode !== before.mode) parts.push(after.mode);
  return parts.join(', ');
}

export function loadVariantSpecs(file: string): Result<VariantSpec[], 'VARIANT_INVALID'> {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    return fail('VARIANT_INVALID', `cannot read ${file}: ${(error as Error).message}`);
  }
  const parsed = variantsFileSchema.safeParse(raw);
  if (!parsed.success) {
    return fail('VARIANT_INVALID', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n'));
  }
  return ok(parsed.data.variants);
}

export function buildVariants(def: StoreDef, specs: readonly VariantSpec[]): Result<Variant[], 'VARIANT_INVALID'> {
  const out: Variant[] = [];
  for (const spec of specs) {
    const v = applyVariant(def, spec);
    if (!v.ok) return v;
    out.push(v.value);
  }
  return ok(out);
}
