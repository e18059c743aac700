import { LitElement, html, svg, css, nothing } from 'lit';
import { badgeColors } from '../color.js';

/**
 * <of-workflow-diagram .statuses .transitions .current .allowed> — a small SVG of the workflow,
 * laid out by distance from the initial status; the current status and the transitions this
 * actor may take now are highlighted. Everything drawn comes from the engine's data.
 */
export class OfWorkflowDiagram extends LitElement {
  static properties = {
    statuses: { attribute: false }, transitions: { attribute: false }, initial: {},
    current: {}, allowed: { attribute: false },
  };
  static styles = css`
    :host { display: block; font-family: system-ui, sans-serif; }
    svg { width: 100%; height: auto; max-height: 260px; }
    text { font-size: 11px; }
  `;

  #edges() {
    const ids = this.statuses.map((s) => s.id);
    const terminal = new Set(this.statuses.filter((s) => s.terminal).map((s) => s.id));
    const out = [];
    const seen = new Set();
    for (const t of this.transitions ?? []) {
      const froms = [].concat(t.from ?? []).flatMap((f) => (f === '*' ? ids.filter((x) => !terminal.has(x)) : [f]));
      for (const from of froms) {
        for (const to of [].concat(t.to)) {
          const k = `${from}>${to}`;
          if (from !== to && !seen.has(k)) { seen.add(k); out.push({ from, to }); }
        }
      }
    }
    return out;
  }

  render() {
    const sts = this.statuses ?? [];
    if (!sts.length) return nothing;
    const edges = this.#edges();
    // depth by BFS from the initial status
    const start = this.initial ?? sts[0].id;
    const depth = new Map([[start, 0]]);
    const q = [start];
    while (q.length) {
      const c = q.shift();
      for (const e of edges) if (e.from === c && !depth.has(e.to)) { depth.set(e.to, depth.get(c) + 1); q.push(e.to); }
    }
    let maxD = Math.max(0, ...depth.values());
    for (const s of sts) if (!depth.has(s.id)) depth.set(s.id, ++maxD);
    // terminal statuses reached from many places go to the last column
    const cols = new Map();
    for (const s of sts) {
      const d = depth.get(s.id);
      if (!cols.has(d)) cols.set(d, []);
      cols.get(d).push(s);
    }
    const W = 118, H = 30, GX = 34, GY = 16;
    const pos = new Map();
    const colKeys = [...cols.keys()].sort((a, b) => a - b);
    let maxRows = 1;
    colKeys.forEach((d, ci) => {
      const list = cols.get(d);
      maxRows = Math.max(maxRows, list.length);
      list.forEach((s, ri) => pos.set(s.id, { x: 6 + ci * (W + GX), y: 6 + ri * (H + GY) }));
    });
    const width = 12 + colKeys.length * (W + GX) - GX;
    const height = 12 + maxRows * (H + GY) - GY;
    const allowed = new Set((this.allowed ?? []).map((o) => o.id));
    const cur = this.current;
    const edgeSvg = edges.map((e) => {
      const a = pos.get(e.from), b = pos.get(e.to);
      if (!a || !b) return nothing;
      const hot = e.from === cur && allowed.has(e.to);
      const x1 = a.x + W, y1 = a.y + H / 2, x2 = b.x, y2 = b.y + H / 2;
      const back = x2 <= x1;
      const d = back
        ? `M${a.x + W / 2},${a.y + H} C${a.x + W / 2},${a.y + H + 30} ${b.x + W / 2},${b.y + H + 30} ${b.x + W / 2},${b.y + H}`
        : `M${x1},${y1} C${x1 + GX / 2},${y1} ${x2 - GX / 2},${y2} ${x2},${y2}`;
      return svg`<path d=${d} fill="none" stroke=${hot ? '#1d4ed8' : '#c4c9d2'} stroke-width=${hot ? 2.5 : 1}
        marker-end=${hot ? 'url(#ah-hot)' : 'url(#ah)'}></path>`;
    });
    const nodeSvg = sts.map((s) => {
      const p = pos.get(s.id);
      const c = badgeColors(s.color);
      const isCur = s.id === cur;
      const isNext = allowed.has(s.id);
      const dim = cur && !isCur && !isNext;
      return svg`<g opacity=${dim ? 0.45 : 1} data-status=${s.id} class=${isCur ? 'current' : isNext ? 'next' : ''}>
        <rect x=${p.x} y=${p.y} width=${W} height=${H} rx="8" fill=${c.background}
          stroke=${isCur ? '#111827' : isNext ? '#1d4ed8' : 'none'} stroke-width=${isCur ? 3 : 2}
          stroke-dasharray=${isNext ? '4 2' : 'none'}></rect>
        <text x=${p.x + W / 2} y=${p.y + H / 2 + 4} text-anchor="middle" fill=${c.color} font-weight=${isCur ? 700 : 500}>${s.label}</text>
      </g>`;
    });
    const curLabel = sts.find((s) => s.id === cur)?.label;
    const nextLabels = sts.filter((s) => allowed.has(s.id)).map((s) => s.label);
    const desc = `Workflow diagram. ${curLabel ? `Current status: ${curLabel}.` : ''} ${nextLabels.length ? `You may move it to: ${nextLabels.join(', ')}.` : 'No change available to you.'}`;
    return html`<svg viewBox="0 0 ${width} ${height + 30}" role="img" aria-label=${desc}>
      <defs>
        <marker id="ah" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#c4c9d2"></path></marker>
        <marker id="ah-hot" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#1d4ed8"></path></marker>
      </defs>
      ${edgeSvg}${nodeSvg}
    </svg>`;
  }
}
customElements.define('of-workflow-diagram', OfWorkflowDiagram);
