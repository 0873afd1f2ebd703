/**
 * Item hypotheses: which (SKU, quantity) combinations explain a measured change in grams, ranked by posterior.
 * Likelihood: Normal(measured; Σ q·mean, Σ q·sd² + measurement² + (relativeTolerance·Σ q·mean)²). Prior: where the
 * weight left the shelf (a location likelihood of the share of grams on the SKUs' plates), misplaced or foreign items,
 * extra units and mixed SKUs are less likely.
 * A flat "none of these" component keeps the listed probabilities honest when nothing fits.
 */
import type { WeightConfig } from './config.ts';
import type { ItemHypothesis, ShelfEventFlag } from './types.ts';

export interface Candidate {
  sku: string;
  mean: number;
  sd: number;
  /** Prior weight of this SKU being the one, location aside (misplaced/foreign factors). */
  prior: number;
  /**
   * Share (0..1) of the change's grams on plates carrying this SKU; the location likelihood is applied per
   * hypothesis from it. Undefined: no location evidence (a foreign return can land anywhere).
   */
  share?: number;
  /** Most units that can leave the shelf (stock); ignored for put-backs. */
  stock: number;
  /** Belongs to the plates involved (planogram or stock): may combine with another SKU in one grab. */
  local: boolean;
}

export interface Ranking {
  hypotheses: ItemHypothesis[];
  flags: ShelfEventFlag[];
  /** |residual| / sigma of the best hypothesis (Infinity when there is none). */
  bestZ: number;
  /** Log of the grams' density summed over every hypothesis, priors included (−Infinity when there is none). */
  logEvidence: number;
}

interface Scored {
  items: { sku: string; qty: number }[];
  logScore: number;
  residual: number;
  z: number;
}

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
/** Never enumerate more units of one SKU than this in one event. */
const MAX_UNITS = 60;

type Part = { c: Candidate; q: number };

/** Location likelihood of a hypothesis whose SKUs sit on plates holding `share` of the grams (see WeightConfig). */
export function locationLikelihood(share: number | undefined, cfg: WeightConfig): number {
  if (share === undefined) return 1;
  const s = Math.min(1, Math.max(0, share));
  return cfg.locationFloor + (1 - cfg.locationFloor) * s ** (cfg.locationSharpness - 1);
}

/**
 * Location likelihood of a two-SKU grab: each SKU's plates must carry at least its own part of the grams. A SKU of a
 * neighbouring plate that moved no grams cannot be half of a grab here (unless the engine knows it lies here too).
 */
function pairLocation(a: Candidate, qa: number, b: Candidate, qb: number, cfg: WeightConfig): number {
  const ga = qa * a.mean;
  const gb = qb * b.mean;
  const need = (share: number | undefined, part: number) =>
    share === undefined ? undefined : Math.min(1, share / (part / (ga + gb)));
  return locationLikelihood(need(a.share, ga), cfg) * locationLikelihood(need(b.share, gb), cfg);
}

/** Scores `parts` against `amount` grams (unsigned); `sign` is +1 for a pick, −1 for a put-back. */
function score(
  parts: Part[],
  amount: number,
  sign: number,
  sigma: number,
  cfg: WeightConfig,
  logPrior: number,
): Scored {
  let mu = 0;
  let variance = sigma * sigma + cfg.measurementSigmaGrams ** 2;
  for (const { c, q } of parts) {
    mu += q * c.mean;
    variance += q * c.sd * c.sd;
  }
  variance += (cfg.relativeTolerance * mu) ** 2;
  const s = Math.sqrt(variance);
  const z = (amount - mu) / s;
  return {
    items: parts.map(({ c, q }) => ({ sku: c.sku, qty: sign * q })),
    logScore: logPrior - 0.5 * z * z - Math.log(s) - LOG_SQRT_2PI,
    residual: sign * (mu - amount),
    z: Math.abs(z),
  };
}

function maxUnits(c: Candidate, amount: number, sigma: number, pick: boolean, cfg: WeightConfig): number {
  const reach = (amount * (1 + 4 * cfg.relativeTolerance) + 4 * sigma) / c.mean + 1;
  const cap = Math.min(MAX_UNITS, Math.ceil(reach));
  return pick ? Math.min(cap, Math.floor(c.stock)) : cap;
}

function enumerate(measured: number, sigma: number, candidates: Candidate[], cfg: WeightConfig): Scored[] {
  const amount = Math.abs(measured);
  const pick = measured > 0;
  const sign = pick ? 1 : -1;
  const out: Scored[] = [];
  const logDecay = Math.log(cfg.qtyDecay);
  const limits = candidates.map((c) => maxUnits(c, amount, sigma, pick, cfg));
  candidates.forEach((c, i) => {
    if (c.prior <= 0) return;
    const logPrior = Math.log(c.prior) + Math.log(locationLikelihood(c.share, cfg));
    for (let q = 1; q <= limits[i]!; q++) {
      out.push(score([{ c, q }], amount, sign, sigma, cfg, logPrior + (q - 1) * logDecay));
    }
  });
  // Two SKUs in one grab: only SKUs that belong to the plates, and only a few units.
  const logMixed = Math.log(cfg.mixedSkuPrior);
  for (let i = 0; i < candidates.length; i++) {
    const a = candidates[i]!;
    if (!a.local || a.prior <= 0) continue;
    for (let j = i + 1; j < candidates.length; j++) {
      const b = candidates[j]!;
      if (!b.local || b.prior <= 0) continue;
      const logPair = Math.log(a.prior) + Math.log(b.prior) + logMixed;
      for (let qa = 1; qa <= Math.min(limits[i]!, cfg.maxMixedUnits - 1); qa++) {
        for (let qb = 1; qb <= Math.min(limits[j]!, cfg.maxMixedUnits - qa); qb++) {
          const logPrior = logPair + Math.log(pairLocation(a, qa, b, qb, cfg)) + (qa + qb - 2) * logDecay;
          const parts = [
            { c: a, q: qa },
            { c: b, q: qb },
          ].sort((x, y) => (x.c.sku < y.c.sku ? -1 : 1));
          out.push(score(parts, amount, sign, sigma, cfg, logPrior));
        }
      }
    }
  }
  return out;
}

/** Ranks what could explain `measured` grams (removal-positive) given the candidates; top `cfg.topK`. */
export function rankHypotheses(measured: number, sigma: number, candidates: Candidate[], cfg: WeightConfig): Ranking {
  const all = enumerate(measured, sigma, candidates, cfg);
  // "None of these": a flat density over twice the measured range.
  const logOutlier = Math.log(cfg.outlierPrior) - Math.log(Math.max(100, 2 * Math.abs(measured)));
  let top = logOutlier;
  for (const s of all) top = Math.max(top, s.logScore);
  let explained = 0;
  for (const s of all) explained += Math.exp(s.logScore - top);
  const total = Math.exp(logOutlier - top) + explained;
  all.sort((x, y) => y.logScore - x.logScore || x.z - y.z);
  const best = all.slice(0, cfg.topK);
  const hypotheses: ItemHypothesis[] = best.map((s) => ({
    items: s.items,
    probability: Math.exp(s.logScore - top) / total,
    residualGrams: s.residual,
  }));
  const flags: ShelfEventFlag[] = [];
  const bestZ = best[0]?.z ?? Number.POSITIVE_INFINITY;
  if (bestZ > cfg.unexplainedZ) flags.push('unexplained-weight');
  const [first, second] = hypotheses;
  if (first && second && second.probability >= cfg.ambiguityRatio * first.probability) flags.push('ambiguous-item');
  return { hypotheses, flags, bestZ, logEvidence: top + Math.log(explained) };
}
