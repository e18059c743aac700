// Keeps Tab / Shift+Tab inside a modal dialog, across nested shadow roots (a native modal
// <dialog> makes the page inert but lets Tab leave for the browser's own UI).
const FOCUSABLE =
  'button:not([disabled]), select:not([disabled]), textarea:not([disabled]), input:not([disabled]), a[href], [tabindex]:not([tabindex="-1"])';

function focusables(root, out = []) {
  for (const el of root.querySelectorAll('*')) {
    if (el.matches(FOCUSABLE) && el.getClientRects().length > 0) out.push(el);
    if (el.shadowRoot) focusables(el.shadowRoot, out);
  }
  return out;
}

function deepActive() {
  let a = document.activeElement;
  while (a?.shadowRoot?.activeElement) a = a.shadowRoot.activeElement;
  return a;
}

/** keydown handler for a dialog element: `@keydown=${trapTab}`. */
export function trapTab(e) {
  if (e.key !== 'Tab') return;
  const list = focusables(e.currentTarget);
  if (!list.length) return;
  const i = list.indexOf(deepActive());
  if (e.shiftKey && i <= 0) {
    e.preventDefault();
    list[list.length - 1].focus();
  } else if (!e.shiftKey && (i === -1 || i === list.length - 1)) {
    e.preventDefault();
    list[0].focus();
  }
}
