/**
 * Gate-line crossings of a track's filtered floor position. A side is only decided near the gate segment
 * and with hysteresis, so a shopper standing on the line does not flicker in and out.
 */
import type { GateDef } from '../store/schema.ts';

export type Side = 'in' | 'out';

export interface GateZone {
  /** How far (m) past the line a shopper must be before the side changes. */
  hysteresis: number;
  /** How far (m) from the line, and beyond its ends, the side is tracked at all. */
  reach: number;
  /** How far (m) beyond the gate's ends a crossing still counts. */
  cornerSlack: number;
}

/** Signed distance (m) from the gate line, positive on the "in" side (left walking from a to b), and where along it. */
export function gateCoordinates(
  gate: GateDef,
  x: number,
  y: number,
): { signed: number; along: number; length: number } {
  const frame = gateFrame(gate);
  return { signed: signedOf(frame, x, y), along: alongOf(frame, x, y), length: frame.length };
}

/** A gate's line with its direction and length worked out once (every track update measures against it). */
export interface GateFrame {
  gate: GateDef;
  ax: number;
  ay: number;
  dx: number;
  dy: number;
  length: number;
}

export function gateFrame(gate: GateDef): GateFrame {
  const [[ax, ay], [bx, by]] = gate.line;
  const dx = bx - ax;
  const dy = by - ay;
  return { gate, ax, ay, dx, dy, length: Math.hypot(dx, dy) };
}

/** Signed distance (m) of (x, y) from a gate's line, positive on the "in" side. */
function signedOf(f: GateFrame, x: number, y: number): number {
  return (f.dx * (y - f.ay) - f.dy * (x - f.ax)) / f.length;
}

/** Distance (m) along a gate's line from its first end to the foot of (x, y). */
function alongOf(f: GateFrame, x: number, y: number): number {
  return ((x - f.ax) * f.dx + (y - f.ay) * f.dy) / f.length;
}

/** The last place a track was clearly on one side of a gate. */
export interface SideFix {
  side: Side;
  x: number;
  y: number;
}

/**
 * Updates a track's per-gate sides with its new position and returns the gates it crossed, with direction.
 * A crossing needs the track clearly on one side, then clearly on the other, and the straight move between
 * those two places cutting the line within the gate (a little slack at the ends: people cut corners).
 */
export function stepGates(
  gates: readonly GateFrame[],
  sides: Map<string, SideFix>,
  x: number,
  y: number,
  zone: GateZone,
): { gateId: string; direction: Side }[] {
  const crossed: { gateId: string; direction: Side }[] = [];
  for (const frame of gates) {
    const gate = frame.gate;
    const signed = signedOf(frame, x, y);
    const along = alongOf(frame, x, y);
    const length = frame.length;
    if (along < -zone.reach || along > length + zone.reach || Math.abs(signed) > zone.reach) {
      sides.delete(gate.id);
      continue;
    }
    if (Math.abs(signed) <= zone.hysteresis) continue;
    const side: Side = signed > 0 ? 'in' : 'out';
    const before = sides.get(gate.id);
    if (before && before.side !== side) {
      const fromSigned = signedOf(frame, before.x, before.y);
      const fromAlong = alongOf(frame, before.x, before.y);
      // Where the move from the last fix to here cuts the line, as a distance along the gate.
      const cut = fromAlong + (along - fromAlong) * (fromSigned / (fromSigned - signed));
      if (cut >= -zone.cornerSlack && cut <= length + zone.cornerSlack) {
        crossed.push({ gateId: gate.id, direction: side });
      }
    }
    sides.set(gate.id, { side, x, y });
  }
  return crossed;
}
