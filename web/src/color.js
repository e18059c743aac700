// Readable text on a workflow colour: picks black or white by WCAG contrast.
const cache = new Map();
let ctx = null;

function rgb(color) {
  if (!color) return null;
  ctx ??= typeof document !== 'undefined' ? document.createElement('canvas').getContext('2d') : null;
  if (!ctx) return null;
  ctx.fillStyle = '#000001';
  ctx.fillStyle = color;
  const v = ctx.fillStyle;
  if (v === '#000001') return null; // unparseable colour
  if (v.startsWith('#')) return [1, 3, 5].map((i) => parseInt(v.slice(i, i + 2), 16));
  const m = /rgba?\(([^)]+)\)/.exec(v);
  return m
    ? m[1]
        .split(',')
        .slice(0, 3)
        .map((x) => parseFloat(x))
    : null;
}

function lum([r, g, b]) {
  const f = (c) => {
    c /= 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
}

/** {background, color} for a badge in `color` (grey when the colour is missing or unknown). */
export function badgeColors(color) {
  let v = cache.get(color);
  if (!v) {
    const c = rgb(color);
    if (!c) v = { background: '#6b7280', color: '#ffffff' };
    else {
      const L = lum(c);
      const white = 1.05 / (L + 0.05);
      const black = (L + 0.05) / 0.05;
      v = { background: color, color: white >= black ? '#ffffff' : '#111111' };
    }
    cache.set(color, v);
  }
  return v;
}
