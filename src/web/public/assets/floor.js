// The floor plan in SVG, drawn from the store layout (store metres, y up): outline, entry area, fixtures with a
// cell per plate coloured by stock, gates, cameras, and shoppers with their trails and hands. Used full-size by
// the live view (where staff also mark items found on the floor) and cropped around a plate by the review console.
import { percent, sessionColour, svg } from './common.js';

const HAND_SAMPLES = 4;
const flashClasses = ['flash-event', 'flash-add', 'flash-remove', 'flash-review'];

function padRect(r, pad) {
  return { x0: r.x0 - pad, y0: r.y0 - pad, x1: r.x1 + pad, y1: r.y1 + pad };
}

/** Screen y grows downwards, store y upwards. */
const Y = (y) => -y;

function points(list) {
  return list.map(([x, y]) => `${x.toFixed(3)},${Y(y).toFixed(3)}`).join(' ');
}

function rectEl(r, attrs) {
  return svg('rect', { x: r.x0, y: Y(r.y1), width: r.x1 - r.x0, height: r.y1 - r.y0, ...attrs });
}

/** Units on a plate over its capacity, 0..1. */
export function stockRatio(cell, stock) {
  const units = Object.values(stock ?? {}).reduce((a, b) => a + b, 0);
  const capacity = cell.capacity.reduce((a, b) => a + b, 0);
  return capacity > 0 ? Math.max(0, Math.min(1, units / capacity)) : 0;
}

export function createFloor(el, layout, { view, products } = {}) {
  const b = view ?? padRect(layout.bounds, 0.5);
  el.setAttribute('viewBox', `${b.x0} ${Y(b.y1)} ${b.x1 - b.x0} ${b.y1 - b.y0}`);
  el.replaceChildren();
  el.append(
    svg('polygon', { class: 'outline', points: points(layout.outline) }),
    svg('polygon', { class: 'entry-area', points: points(layout.entryArea) }),
  );
  for (const f of layout.fixtures) el.append(rectEl(f.rect, { class: 'fixture', 'data-fixture': f.id }));
  const plates = new Map();
  for (const cell of layout.plates) {
    const title = svg('title', {}, cell.plateId);
    // Neutral until the first snapshot says how full it is.
    const node = rectEl(cell.rect, { class: 'plate', 'data-plate': cell.plateId, fill: '#cbd2dc' });
    node.append(title);
    node.addEventListener('animationend', () => node.classList.remove(...flashClasses));
    plates.set(cell.plateId, { cell, node, title });
    el.append(node);
  }
  // Labels go on top of the plate cells, centred; along the long side, so back-to-back fixtures keep theirs apart.
  for (const f of layout.fixtures) {
    const cx = (f.rect.x0 + f.rect.x1) / 2;
    const cy = Y((f.rect.y0 + f.rect.y1) / 2);
    const upright = f.rect.y1 - f.rect.y0 > f.rect.x1 - f.rect.x0;
    el.append(
      svg(
        'text',
        {
          class: 'fixture-label',
          x: cx,
          y: cy,
          'text-anchor': 'middle',
          'dominant-baseline': 'central',
          transform: upright ? `rotate(-90 ${cx} ${cy})` : undefined,
        },
        f.id,
      ),
    );
  }
  for (const g of layout.gates) {
    const [[ax, ay], [bx, by]] = g.line;
    el.append(
      svg('line', { class: `gate ${g.kind}`, x1: ax, y1: Y(ay), x2: bx, y2: Y(by), 'data-gate': g.id }),
      svg('text', { class: 'gate-label', x: (ax + bx) / 2, y: Y((ay + by) / 2) + 0.35, 'text-anchor': 'middle' }, g.id),
    );
  }
  const cameras = new Map();
  for (const c of layout.cameras) {
    const d = 0.12;
    const diamond = [
      [c.x, c.y + d],
      [c.x + d, c.y],
      [c.x, c.y - d],
      [c.x - d, c.y],
    ];
    const node = svg('polygon', { class: 'camera', points: points(diamond), 'data-camera': c.id });
    node.append(svg('title', {}, `camera ${c.id}`));
    cameras.set(c.id, node);
    el.append(node);
  }
  const people = svg('g', { class: 'people' });
  const marks = svg('g', { class: 'marks' });
  el.append(people, marks);

  return {
    /** Colours plates by stock and marks silent plates and offline cameras. */
    setSnapshot(snapshot) {
      const silent = new Set(snapshot.silentPlates);
      for (const [id, { cell, node, title }] of plates) {
        const stock = snapshot.stock[id] ?? {};
        const ratio = stockRatio(cell, stock);
        node.setAttribute('fill', `hsl(${Math.round(ratio * 120)} 55% 52%)`);
        node.classList.toggle('silent', silent.has(id));
        const units = Object.entries(stock)
          .map(([sku, n]) => `${products?.get(sku)?.name ?? sku}: ${n}`)
          .join(', ');
        title.textContent = `${id} · ${units || 'empty'} (${percent(ratio)} of capacity)${silent.has(id) ? ' · SILENT' : ''}`;
        node.dataset.ratio = ratio.toFixed(3);
      }
      const offline = new Set(snapshot.offlineCameras);
      for (const [id, node] of cameras) node.classList.toggle('offline', offline.has(id));
    },

    /**
     * Shoppers: `paths` are `{trackId, sessionId, samples: [{x, y, hands: [[x, y, z]]}]}`, oldest sample first.
     * `labels` (sessionId → text) names candidates on the review map; the live view leaves shoppers anonymous.
     */
    setTracks(paths, { labels } = {}) {
      people.replaceChildren();
      let labelled = 0;
      for (const path of paths) {
        const last = path.samples.at(-1);
        if (!last) continue;
        const colour = sessionColour(path.sessionId);
        if (path.samples.length > 1) {
          people.append(
            svg('polyline', { class: 'trail', stroke: colour, points: points(path.samples.map((s) => [s.x, s.y])) }),
          );
        }
        for (const side of [0, 1]) {
          // Only the last moments of a hand: long hand paths just shadow the walking trail.
          const hand = path.samples
            .slice(-HAND_SAMPLES)
            .map((s) => s.hands[side])
            .filter(Boolean);
          if (hand.length > 1) {
            people.append(svg('polyline', { class: 'hand-path', stroke: colour, points: points(hand) }));
          }
        }
        const label = labels?.get(path.sessionId);
        const dot = svg('circle', {
          class: `shopper${path.sessionId ? '' : ' unbound'}${label ? ' candidate' : ''}`,
          cx: last.x,
          cy: Y(last.y),
          r: 0.2,
          fill: colour,
          'data-track': path.trackId,
        });
        dot.append(svg('title', {}, path.sessionId ? 'shopper in a session' : 'person not bound to a session'));
        people.append(dot);
        for (const [hx, hy] of last.hands) {
          people.append(svg('circle', { class: 'hand', cx: hx, cy: Y(hy), r: 0.06, fill: colour }));
        }
        if (label) {
          // Alternate above and below so two shoppers side by side keep readable labels.
          const dy = labelled++ % 2 === 0 ? -0.3 : 0.48;
          people.append(
            svg('text', { class: 'shopper-label', x: last.x, y: Y(last.y) + dy, 'text-anchor': 'middle' }, label),
          );
        }
      }
    },

    /** Flashes plates: `event` (weight change decided), `add` / `remove` (cart line), `review` (sent to staff). */
    flash(plateIds, kind) {
      for (const id of plateIds) {
        const p = plates.get(id);
        if (!p) continue;
        p.node.classList.remove(...flashClasses);
        // Restart the animation even when the same plate flashes twice in a row.
        void p.node.getBoundingClientRect();
        p.node.classList.add(`flash-${kind}`);
      }
    },

    /** Calls `fn([x, y])` with the floor point (store metres) a click lands on. */
    onPick(fn) {
      el.addEventListener('click', (e) => {
        const p = new DOMPoint(e.clientX, e.clientY).matrixTransform(el.getScreenCTM().inverse());
        fn([p.x, -p.y]);
      });
    },

    /** Marks places on the floor: `[{ at: [x, y], kind, title }]` (kind `picked` or `found`). */
    setMarks(list) {
      marks.replaceChildren(
        ...list.map(({ at, kind, title }) => {
          const node = svg('circle', { class: `mark ${kind}`, cx: at[0], cy: Y(at[1]), r: 0.15 });
          node.append(svg('title', {}, title));
          return node;
        }),
      );
    },

    highlight(plateIds) {
      const set = new Set(plateIds);
      for (const [id, { node }] of plates) node.classList.toggle('highlight', set.has(id));
    },
  };
}

/** A view rectangle around some plates (with their fixtures), for the review console's small map. */
export function viewAround(layout, plateIds, pad = 2.2) {
  const cells = layout.plates.filter((c) => plateIds.includes(c.plateId));
  if (!cells.length) return undefined;
  const r = {
    x0: Math.min(...cells.map((c) => c.rect.x0)) - pad,
    y0: Math.min(...cells.map((c) => c.rect.y0)) - pad,
    x1: Math.max(...cells.map((c) => c.rect.x1)) + pad,
    y1: Math.max(...cells.map((c) => c.rect.y1)) + pad,
  };
  const bounds = padRect(layout.bounds, 0.3);
  return {
    x0: Math.max(r.x0, bounds.x0),
    y0: Math.max(r.y0, bounds.y0),
    x1: Math.min(r.x1, bounds.x1),
    y1: Math.min(r.y1, bounds.y1),
  };
}
