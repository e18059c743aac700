import { LitElement, html, svg, css, nothing } from 'lit';
import { badgeColors } from '../color.js';
import { Strings } from '../i18n/index.js';

/**
 * <of-workflow-diagram .statuses .edges .current .allowed> — a small SVG of the workflow,
 * laid out by distance from the initial status (terminal statuses on a second row); the current status and the transitions this
 * actor may take now are highlighted. Everything drawn comes from the engine's data.
 * @csspart diagram - The <svg>
 * @cssprop [--of-font-family=inherit] - Text font (the page's unless set)
 */
export class OfWorkflowDiagram extends LitElement {
  static properties = {
    statuses: { attribute: false },
    edges: { attribute: false },
    initial: {},
    current: {},
    allowed: { attribute: false },
  };
  static styles = css`
    :host {
      display: block;
      font-family: var(--of-font-family, inherit);
    }
    svg {
      width: 100%;
      height: auto;
      max-height: 260px;
    }
    text {
      font-size: 11px;
    }
  `;

  constructor() {
    super();
    this.i18n = new Strings(this);
  }

  render() {
    const sts = this.statuses ?? [];
    if (!sts.length) return nothing;
    const edges = this.edges ?? [];
    // Non-terminal statuses on a top row by distance from the initial status; terminal ones on a
    // bottom row, ordered under the statuses that lead to them.
    const start = this.initial ?? sts[0].id;
    const depth = new Map([[start, 0]]);
    const q = [start];
    while (q.length) {
      const c = q.shift();
      for (const e of edges)
        if (e.from === c && !depth.has(e.to)) {
          depth.set(e.to, depth.get(c) + 1);
          q.push(e.to);
        }
    }
    let maxD = Math.max(0, ...depth.values());
    for (const s of sts) if (!depth.has(s.id)) depth.set(s.id, ++maxD);
    const W = 118,
      H = 30,
      GX = 26,
      GY = 62,
      PAD = 6;
    const top = sts.filter((s) => !s.terminal).sort((a, b) => depth.get(a.id) - depth.get(b.id));
    const bottom = sts.filter((s) => s.terminal);
    const pos = new Map();
    top.forEach((s, i) => pos.set(s.id, { x: PAD + i * (W + GX), y: PAD }));
    const cx = (id) => (pos.get(id)?.x ?? 0) + W / 2;
    const weight = (t) => {
      const src = edges.filter((e) => e.to === t.id && pos.has(e.from)).map((e) => cx(e.from));
      return src.length ? src.reduce((a, b) => a + b, 0) / src.length : Infinity;
    };
    const order = bottom.map((t) => ({ t, w: weight(t) })).sort((a, b) => a.w - b.w);
    const cols = Math.max(top.length, bottom.length);
    const offset = ((cols - bottom.length) * (W + GX)) / 2;
    order.forEach(({ t }, i) => pos.set(t.id, { x: PAD + offset + i * (W + GX), y: PAD + (top.length ? H + GY : 0) }));
    const width = PAD * 2 + cols * (W + GX) - GX;
    const height = PAD * 2 + (top.length && bottom.length ? 2 * H + GY : H) + 18;
    // an option a guard blocks for this order (out of stock, not paid) cannot be taken now: not drawn as a next step
    const allowed = new Set((this.allowed ?? []).filter((o) => !o.blocked).map((o) => o.id));
    const cur = this.current;
    const edgeSvg = edges.map((e) => {
      const a = pos.get(e.from),
        b = pos.get(e.to);
      if (!a || !b) return nothing;
      const hot = e.from === cur && allowed.has(e.to);
      let d;
      if (a.y === b.y) {
        const fwd = b.x > a.x;
        const adjacent = Math.abs(b.x - a.x) <= W + GX;
        if (adjacent) d = fwd ? `M${a.x + W},${a.y + H / 2} L${b.x},${b.y + H / 2}` : `M${a.x},${a.y + H / 2} L${b.x + W},${b.y + H / 2}`;
        else d = `M${a.x + W / 2},${a.y + H} Q${(a.x + b.x) / 2 + W / 2},${a.y + H + 40} ${b.x + W / 2},${b.y + H}`;
      } else {
        const down = b.y > a.y;
        d = down ? `M${a.x + W / 2},${a.y + H} L${b.x + W / 2},${b.y}` : `M${a.x + W / 2},${a.y} L${b.x + W / 2},${b.y + H}`;
      }
      return svg`<path d=${d} fill="none" stroke=${hot ? '#1d4ed8' : '#b8bec8'} stroke-width=${hot ? 2.5 : 1.2}
        marker-end=${hot ? 'url(#ah-hot)' : 'url(#ah)'}></path>`;
    });
    const nodeSvg = sts.map((s) => {
      const p = pos.get(s.id);
      const c = badgeColors(s.color);
      const isCur = s.id === cur;
      const isNext = allowed.has(s.id);
      // statuses out of reach now are drawn as outlines with dark text (not faded: faded text
      // on a pale box was unreadable); the current and next ones in their colour
      const dim = cur && !isCur && !isNext;
      return svg`<g data-status=${s.id} class=${isCur ? 'current' : isNext ? 'next' : 'other'}>
        <rect x=${p.x} y=${p.y} width=${W} height=${H} rx="8" fill=${dim ? '#ffffff' : c.background}
          stroke=${isCur ? '#111827' : isNext ? '#1d4ed8' : dim ? s.color || '#6b7280' : 'none'} stroke-width=${isCur ? 3 : 2}
          stroke-dasharray=${isNext ? '5 3' : 'none'}></rect>
        <text x=${p.x + W / 2} y=${p.y + H / 2 + 4} text-anchor="middle" fill=${dim ? '#374151' : c.color} font-weight=${isCur ? 700 : 500}>${s.label}</text>
      </g>`;
    });
    const curLabel = sts.find((s) => s.id === cur)?.label;
    const nextLabels = sts.filter((s) => allowed.has(s.id)).map((s) => s.label);
    const desc = this.i18n.t('diagram', {
      current: curLabel,
      next: nextLabels.length ? new Intl.ListFormat(this.i18n.locale).format(nextLabels) : '',
    });
    return html`<svg part="diagram" viewBox="0 0 ${width} ${height}" role="img" aria-label=${desc}>
      <defs>
        <marker
          id="ah"
          viewBox="0 0 10 10"
          refX="9"
          refY="5"
          markerUnits="userSpaceOnUse"
          markerWidth="9"
          markerHeight="9"
          orient="auto-start-reverse"
        >
          <path d="M0,0 L10,5 L0,10 z" fill="#b8bec8"></path>
        </marker>
        <marker
          id="ah-hot"
          viewBox="0 0 10 10"
          refX="9"
          refY="5"
          markerUnits="userSpaceOnUse"
          markerWidth="11"
          markerHeight="11"
          orient="auto-start-reverse"
        >
          <path d="M0,0 L10,5 L0,10 z" fill="#1d4ed8"></path>
        </marker>
      </defs>
      ${edgeSvg}${nodeSvg}
    </svg>`;
  }
}
customElements.define('of-workflow-diagram', OfWorkflowDiagram);
