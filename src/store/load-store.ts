/**
 * Loads a store definition from YAML: parse, validate against the schema, check cross references,
 * and index it for fast lookups. Every problem is reported with its path; nothing starts on a bad file.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { fail, ok, type Result } from '../errors.ts';
import { type StoreDef, storeSchema } from './schema.ts';
import { indexStore, type Store } from './store.ts';

export type StoreProblem = { path: string; message: string };

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, key) => {
    if (typeof key === 'number') return `${acc}[${key}]`;
    return acc ? `${acc}.${String(key)}` : String(key);
  }, '');
}

function schemaProblems(error: z.ZodError): StoreProblem[] {
  return error.issues.map((issue) => ({ path: formatPath(issue.path) || '(root)', message: issue.message }));
}

/** Cross-reference checks the schema cannot express: unique ids, known SKUs, matching capacities. */
export function referenceProblems(def: StoreDef): StoreProblem[] {
  const problems: StoreProblem[] = [];
  const skus = new Set<string>();
  def.products.forEach((p, i) => {
    if (skus.has(p.sku)) problems.push({ path: `products[${i}].sku`, message: `duplicate SKU "${p.sku}"` });
    skus.add(p.sku);
  });
  const seen = new Set<string>();
  const unique = (path: string, kind: string, value: string) => {
    const key = `${kind}:${value}`;
    if (seen.has(key)) problems.push({ path, message: `duplicate ${kind} id "${value}"` });
    seen.add(key);
  };
  def.fixtures.forEach((f, fi) => {
    unique(`fixtures[${fi}].id`, 'fixture', f.id);
    f.shelves.forEach((s, si) => {
      unique(`fixtures[${fi}].shelves[${si}].id`, 'shelf', s.id);
      s.plates.forEach((p, pi) => {
        const at = `fixtures[${fi}].shelves[${si}].plates[${pi}]`;
        unique(`${at}.id`, 'plate', p.id);
        p.skus.forEach((sku, k) => {
          if (!skus.has(sku)) problems.push({ path: `${at}.skus[${k}]`, message: `unknown SKU "${sku}"` });
          if (p.skus.indexOf(sku) < k)
            problems.push({ path: `${at}.skus[${k}]`, message: `"${sku}" twice on the plate` });
        });
        if (p.capacity.length !== p.skus.length) {
          problems.push({ path: `${at}.capacity`, message: `needs one entry per SKU (${p.skus.length})` });
        }
      });
    });
  });
  def.cameras.forEach((c, i) => {
    unique(`cameras[${i}].id`, 'camera', c.id);
  });
  def.gates.forEach((g, i) => {
    unique(`gates[${i}].id`, 'gate', g.id);
  });
  if (!def.gates.some((g) => g.kind !== 'exit')) problems.push({ path: 'gates', message: 'needs an entry gate' });
  if (!def.gates.some((g) => g.kind !== 'entry')) problems.push({ path: 'gates', message: 'needs an exit gate' });
  return problems;
}

/** Validates an already-parsed object as a store definition. */
export function parseStore(raw: unknown): Result<Store, 'STORE_INVALID'> & { problems?: StoreProblem[] } {
  const parsed = storeSchema.safeParse(raw);
  if (!parsed.success) return invalid(schemaProblems(parsed.error));
  const problems = referenceProblems(parsed.data);
  if (problems.length > 0) return invalid(problems);
  return ok(indexStore(parsed.data));
}

function invalid(problems: StoreProblem[]) {
  const reason = problems.map((p) => `${p.path}: ${p.message}`).join('\n');
  return { ...fail('STORE_INVALID', reason), problems };
}

/** Reads and validates a YAML store file. */
export function loadStoreFile(file: string): ReturnType<typeof parseStore> {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    return invalid([{ path: '(file)', message: `cannot read ${file}: ${(error as Error).message}` }]);
  }
  return parseStore(raw);
}
