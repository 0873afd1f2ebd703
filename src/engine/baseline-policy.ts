/**
 * The benchmark's baseline: the plain design people would build first. The nearest shopper's hand takes the
 * weight's top hypothesis; no confidence, never a review. Walkout's figures are always printed beside it.
 */
import type { FusionContext, FusionDecision } from '../fusion/attribute.ts';
import type { ShelfEvent } from '../weight/types.ts';

export function baselineDecision(event: ShelfEvent, ctx: FusionContext): FusionDecision {
  const items = event.hypotheses[0]?.items ?? [];
  const nearest = [...ctx.candidates].sort((a, b) => a.evidence.minDistance - b.evidence.minDistance)[0];
  const sessionId = nearest ? (nearest.staff ? null : nearest.sessionId) : (ctx.sessionsInside[0] ?? null);
  const tracks = nearest ? [nearest.trackId] : [];
  return {
    kind: 'commit',
    sessionId,
    tracks,
    items,
    confidence: 1,
    alternatives: [],
    reason: 'baseline: nearest hand',
  };
}
