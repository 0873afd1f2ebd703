/**
 * Pairs a gate's beam passes with the tracks the cameras saw cross its line. The beam counts every body and says
 * exactly when it passed; the cameras say which track it was. Pairing them keeps one missed or late camera
 * crossing from shifting every later shopper onto the wrong session. Same gate and direction, nearest in time,
 * within a window; whatever finds no partner in the window is handed back by `expire`.
 */

export interface GatePassing {
  gateId: string;
  direction: 'in' | 'out';
  t: number;
}

export interface BeamPass extends GatePassing {
  /** The session whose admission this pass used, or null (nobody was admitted: a tailgater, or an exit). */
  sessionId: string | null;
}

export interface TrackCrossing extends GatePassing {
  trackId: string;
}

export class GateMatcher {
  private beams: BeamPass[] = [];
  private crossings: TrackCrossing[] = [];

  constructor(private readonly windowMs: number) {}

  /** A beam pass: returns the waiting crossing it pairs with, or keeps it waiting. */
  beam(pass: BeamPass): TrackCrossing | undefined {
    const crossing = takeNearest(this.crossings, pass, this.windowMs);
    if (!crossing) this.beams.push(pass);
    return crossing;
  }

  /** A track crossing: returns the waiting beam pass it pairs with, or keeps it waiting. */
  crossing(crossing: TrackCrossing): BeamPass | undefined {
    const pass = takeNearest(this.beams, crossing, this.windowMs);
    if (!pass) this.crossings.push(crossing);
    return pass;
  }

  /** Removes and returns what waited longer than the window by time t, oldest first. */
  expire(t: number): { beams: BeamPass[]; crossings: TrackCrossing[] } {
    const cut = t - this.windowMs;
    const beams = this.beams.filter((b) => b.t < cut);
    const crossings = this.crossings.filter((c) => c.t < cut);
    if (beams.length > 0) this.beams = this.beams.filter((b) => b.t >= cut);
    if (crossings.length > 0) this.crossings = this.crossings.filter((c) => c.t >= cut);
    return { beams, crossings };
  }
}

/** Takes out of `list` the item at the same gate and direction nearest in time to `probe`, within the window. */
function takeNearest<T extends GatePassing>(list: T[], probe: GatePassing, windowMs: number): T | undefined {
  let best = -1;
  for (let i = 0; i < list.length; i++) {
    const item = list[i]!;
    if (item.gateId !== probe.gateId || item.direction !== probe.direction) continue;
    const dt = Math.abs(item.t - probe.t);
    if (dt <= windowMs && (best < 0 || dt < Math.abs(list[best]!.t - probe.t))) best = i;
  }
  return best < 0 ? undefined : list.splice(best, 1)[0];
}
