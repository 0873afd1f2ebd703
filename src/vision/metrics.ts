/**
 * Multi-object tracking metrics on the floor plane (pure; the benchmark uses them): CLEAR MOTA, IDF1,
 * HOTA, and "identity kept from entry to exit" per truth person. A truth person and a track match at a
 * sample when they are within `threshold` metres (1 m by default). Frames are the distinct sample times.
 */
import { assign } from './hungarian.ts';

export interface TruthPath {
  personId: string;
  /** [t, x, y] samples while the person is inside. */
  path: readonly (readonly [number, number, number])[];
}

export interface TrackSample {
  t: number;
  trackId: string;
  x: number;
  y: number;
}

export interface TrackingMetrics {
  mota: number;
  idf1: number;
  hota: number;
  /** Truth samples, misses, false positives, identity switches (CLEAR). */
  gt: number;
  misses: number;
  falsePositives: number;
  idSwitches: number;
  /** Per truth person: did one track follow them for ≥ `keptCoverage` of their time inside, with no switch? */
  kept: { personId: string; kept: boolean; trackId: string | undefined; coverage: number; switches: number }[];
  keptRate: number;
}

interface Frame {
  gt: { id: number; x: number; y: number }[];
  hyp: { id: number; x: number; y: number }[];
}

export function trackingMetrics(
  truth: readonly TruthPath[],
  tracks: readonly TrackSample[],
  threshold = 1,
  keptCoverage = 0.9,
): TrackingMetrics {
  const { frames, gtIds, hypIds } = buildFrames(truth, tracks);
  const clear = clearMot(frames, gtIds.length, threshold, keptCoverage);
  const gtTotal = frames.reduce((s, f) => s + f.gt.length, 0);
  return {
    mota: gtTotal === 0 ? 1 : 1 - (clear.misses + clear.falsePositives + clear.idSwitches) / gtTotal,
    idf1: idf1(frames, gtIds.length, hypIds.length, threshold),
    hota: hota(frames, gtIds.length, hypIds.length, threshold),
    gt: gtTotal,
    misses: clear.misses,
    falsePositives: clear.falsePositives,
    idSwitches: clear.idSwitches,
    ...keptOf(clear.perPerson, gtIds, hypIds),
  };
}

/** "Identity kept" alone (the CLEAR matching it rests on, without IDF1 and HOTA): see `trackingMetrics`. */
export function identityKept(
  truth: readonly TruthPath[],
  tracks: readonly TrackSample[],
  threshold = 1,
  keptCoverage = 0.9,
): Pick<TrackingMetrics, 'kept' | 'keptRate'> {
  const { frames, gtIds, hypIds } = buildFrames(truth, tracks);
  return keptOf(clearMot(frames, gtIds.length, threshold, keptCoverage).perPerson, gtIds, hypIds);
}

function keptOf(
  perPerson: ReturnType<typeof clearMot>['perPerson'],
  gtIds: readonly string[],
  hypIds: readonly string[],
): Pick<TrackingMetrics, 'kept' | 'keptRate'> {
  const kept = perPerson.map((p, i) => ({
    personId: gtIds[i]!,
    kept: p.kept,
    trackId: p.track >= 0 ? hypIds[p.track] : undefined,
    coverage: p.coverage,
    switches: p.switches,
  }));
  return { kept, keptRate: kept.length === 0 ? 1 : kept.filter((k) => k.kept).length / kept.length };
}

function buildFrames(truth: readonly TruthPath[], tracks: readonly TrackSample[]) {
  const gtIds = truth.map((p) => p.personId);
  const hypIds: string[] = [];
  const hypIndex = new Map<string, number>();
  const byT = new Map<number, Frame>();
  const frame = (t: number): Frame => {
    const known = byT.get(t);
    if (known) return known;
    const f: Frame = { gt: [], hyp: [] };
    byT.set(t, f);
    return f;
  };
  truth.forEach((p, id) => {
    for (const [t, x, y] of p.path) frame(t).gt.push({ id, x, y });
  });
  for (const s of tracks) {
    let id = hypIndex.get(s.trackId);
    if (id === undefined) {
      id = hypIds.length;
      hypIds.push(s.trackId);
      hypIndex.set(s.trackId, id);
    }
    frame(s.t).hyp.push({ id, x: s.x, y: s.y });
  }
  const frames = [...byT.entries()].sort((a, b) => a[0] - b[0]).map(([, f]) => f);
  return { frames, gtIds, hypIds };
}

const dist = (a: { x: number; y: number }, b: { x: number; y: number }): number => Math.hypot(a.x - b.x, a.y - b.y);

/** CLEAR MOT: keep last frame's pairs while still within threshold, Hungarian for the rest; count switches. */
function clearMot(frames: Frame[], nGt: number, threshold: number, keptCoverage: number) {
  let misses = 0;
  let falsePositives = 0;
  let idSwitches = 0;
  const last = new Int32Array(nGt).fill(-1);
  const samples = new Int32Array(nGt);
  const perTrack = Array.from({ length: nGt }, () => new Map<number, number>());
  const switches = new Int32Array(nGt);
  for (const f of frames) {
    const pairs = new Map<number, number>();
    const usedHyp = new Set<number>();
    for (const g of f.gt) {
      const prev = last[g.id]!;
      const h = prev >= 0 ? f.hyp.find((x) => x.id === prev) : undefined;
      if (h && !usedHyp.has(h.id) && dist(g, h) <= threshold) {
        pairs.set(g.id, h.id);
        usedHyp.add(h.id);
      }
    }
    const gts = f.gt.filter((g) => !pairs.has(g.id));
    const hyps = f.hyp.filter((h) => !usedHyp.has(h.id));
    const cost = gts.map((g) => hyps.map((h) => (dist(g, h) <= threshold ? dist(g, h) : Number.POSITIVE_INFINITY)));
    assign(cost).forEach((j, i) => {
      if (j >= 0) pairs.set(gts[i]!.id, hyps[j]!.id);
    });
    for (const g of f.gt) {
      samples[g.id] = samples[g.id]! + 1;
      const h = pairs.get(g.id);
      if (h === undefined) {
        misses++;
        continue;
      }
      if (last[g.id]! >= 0 && last[g.id] !== h) {
        idSwitches++;
        switches[g.id] = switches[g.id]! + 1;
      }
      last[g.id] = h;
      const m = perTrack[g.id]!;
      m.set(h, (m.get(h) ?? 0) + 1);
    }
    falsePositives += f.hyp.length - pairs.size;
  }
  const perPerson = perTrack.map((m, g) => {
    let track = -1;
    let count = 0;
    for (const [h, c] of m) if (c > count) [track, count] = [h, c];
    const coverage = samples[g]! > 0 ? count / samples[g]! : 0;
    return { track, coverage, switches: switches[g]!, kept: coverage >= keptCoverage && switches[g] === 0 };
  });
  return { misses, falsePositives, idSwitches, perPerson };
}

/** IDF1: the best one-to-one truth↔track mapping over the whole run, then 2·IDTP / (truth + track samples). */
function idf1(frames: Frame[], nGt: number, nHyp: number, threshold: number): number {
  const together = Array.from({ length: nGt }, () => new Float64Array(nHyp));
  let gtTotal = 0;
  let hypTotal = 0;
  for (const f of frames) {
    gtTotal += f.gt.length;
    hypTotal += f.hyp.length;
    for (const g of f.gt) for (const h of f.hyp) if (dist(g, h) <= threshold) together[g.id]![h.id]! += 1;
  }
  if (gtTotal + hypTotal === 0) return 1;
  const mapping = assign(together.map((row) => Array.from(row, (c) => -c)));
  const idtp = mapping.reduce((s, j, i) => s + (j >= 0 ? together[i]![j]! : 0), 0);
  return (2 * idtp) / (gtTotal + hypTotal);
}

/**
 * HOTA (Luiten et al. 2020) with similarity max(0, 1 − d/threshold), averaged over α = 0.05 … 0.95,
 * following the reference implementation (TrackEval): matches maximise similarity weighted by a global
 * alignment score, then detection and association accuracies are combined per α.
 */
function hota(frames: Frame[], nGt: number, nHyp: number, threshold: number): number {
  const alphas = Array.from({ length: 19 }, (_, i) => 0.05 + 0.05 * i);
  const sim = (g: { x: number; y: number }, h: { x: number; y: number }): number =>
    Math.max(0, 1 - dist(g, h) / threshold);
  const gtCount = new Float64Array(nGt);
  const hypCount = new Float64Array(nHyp);
  const potential = Array.from({ length: nGt }, () => new Float64Array(nHyp));
  let gtTotal = 0;
  let hypTotal = 0;
  for (const f of frames) {
    gtTotal += f.gt.length;
    hypTotal += f.hyp.length;
    for (const g of f.gt) gtCount[g.id]! += 1;
    for (const h of f.hyp) hypCount[h.id]! += 1;
    const s = f.gt.map((g) => f.hyp.map((h) => sim(g, h)));
    const rowSum = s.map((r) => r.reduce((a, b) => a + b, 0));
    const colSum = f.hyp.map((_, j) => s.reduce((a, r) => a + r[j]!, 0));
    f.gt.forEach((g, i) => {
      f.hyp.forEach((h, j) => {
        const v = s[i]![j]!;
        if (v > 0) potential[g.id]![h.id]! += v / (rowSum[i]! + colSum[j]! - v);
      });
    });
  }
  if (gtTotal === 0 && hypTotal === 0) return 1;
  const align = potential.map((row, g) => Array.from(row, (p, h) => p / (gtCount[g]! + hypCount[h]! - p)));
  const tp = new Float64Array(alphas.length);
  const matches = alphas.map(() => Array.from({ length: nGt }, () => new Float64Array(nHyp)));
  for (const f of frames) {
    const s = f.gt.map((g) => f.hyp.map((h) => sim(g, h)));
    const cost = f.gt.map((g, i) =>
      f.hyp.map((h, j) => (s[i]![j]! > 0 ? -(align[g.id]![h.id]! * s[i]![j]!) : Infinity)),
    );
    assign(cost).forEach((j, i) => {
      if (j < 0) return;
      const v = s[i]![j]!;
      alphas.forEach((a, k) => {
        if (v >= a - 1e-9) {
          tp[k]! += 1;
          matches[k]![f.gt[i]!.id]![f.hyp[j]!.id]! += 1;
        }
      });
    });
  }
  let sum = 0;
  alphas.forEach((_, k) => {
    const tpk = tp[k]!;
    const detA = tpk / Math.max(1, gtTotal + hypTotal - tpk);
    let assSum = 0;
    matches[k]!.forEach((row, g) => {
      row.forEach((m, h) => {
        if (m > 0) assSum += (m * m) / (gtCount[g]! + hypCount[h]! - m);
      });
    });
    const assA = assSum / Math.max(1, tpk);
    sum += Math.sqrt(detA * assA);
  });
  return sum / alphas.length;
}
