/**
 * The planner's price book: unit prices per hardware item and the sizing rules (plates per controller, cameras per
 * edge box, ports per switch), read from YAML (prices/default-prices.yaml, dated estimates) and validated once.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { fail, ok, type Result } from '../errors.ts';

export const PRICE_KEYS = ['plate', 'shelfController', 'camera', 'edgeBox', 'switch', 'networkDrop', 'gate'] as const;
export type PriceKey = (typeof PRICE_KEYS)[number];

const itemSchema = z.object({
  name: z.string().min(1),
  unit: z.string().min(1),
  /** Major units of the book's currency per unit. */
  price: z.number().nonnegative(),
  source: z.string().default(''),
});

export const priceBookSchema = z.object({
  version: z.literal(1),
  date: z.union([z.string(), z.number()]).transform(String),
  currency: z.string().length(3),
  estimate: z.boolean().default(true),
  items: z.object(Object.fromEntries(PRICE_KEYS.map((k) => [k, itemSchema])) as Record<PriceKey, typeof itemSchema>),
  rules: z.object({
    platesPerController: z.number().int().positive(),
    camerasPerEdgeBox: z.number().int().positive(),
    portsPerSwitch: z.number().int().positive(),
  }),
});

export type PriceBook = z.infer<typeof priceBookSchema>;

export const DEFAULT_PRICES_FILE = new URL('../../prices/default-prices.yaml', import.meta.url).pathname;

export function parsePriceBook(raw: unknown): Result<PriceBook, 'PRICES_INVALID'> {
  const parsed = priceBookSchema.safeParse(raw);
  if (parsed.success) return ok(parsed.data);
  const reason = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('\n');
  return fail('PRICES_INVALID', reason);
}

export function loadPriceBook(file: string = DEFAULT_PRICES_FILE): Result<PriceBook, 'PRICES_INVALID'> {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    return fail('PRICES_INVALID', `cannot read ${file}: ${(error as Error).message}`);
  }
  return parsePriceBook(raw);
}
