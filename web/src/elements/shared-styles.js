import { css } from 'lit';

export const base = css`
  :host { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; font-size: 14px; color: #1f2937; }
  button {
    font: inherit; border: 1px solid #9ca3af; background: #fff; color: #111827; border-radius: 6px;
    padding: 4px 10px; cursor: pointer; min-height: 28px;
  }
  button.primary { background: #1d4ed8; color: #fff; border-color: #1d4ed8; }
  button.danger { background: #b91c1c; color: #fff; border-color: #b91c1c; }
  button:disabled { opacity: .5; cursor: not-allowed; }
  button:focus-visible, select:focus-visible, input:focus-visible, textarea:focus-visible, a:focus-visible {
    outline: 3px solid #f59e0b; outline-offset: 1px;
  }
  select, input, textarea { font: inherit; border: 1px solid #9ca3af; border-radius: 6px; padding: 3px 6px; background: #fff; color: inherit; }
  select:disabled { color: #6b7280; background: #f3f4f6; }
  textarea { width: 100%; box-sizing: border-box; min-height: 4.5em; resize: vertical; }
  label { display: block; font-weight: 600; margin: 10px 0 4px; }
  .hint { color: #4b5563; font-size: 12px; }
  .field-error { color: #b91c1c; font-size: 13px; margin-top: 3px; }
  .sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
  .row { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
  .spinner { display: inline-block; width: 12px; height: 12px; border: 2px solid currentColor; border-right-color: transparent; border-radius: 50%; animation: spin .8s linear infinite; vertical-align: -2px; }
  @keyframes spin { to { transform: rotate(360deg); } }
  dialog { border: none; border-radius: 10px; padding: 0; box-shadow: 0 20px 50px rgba(0,0,0,.35); max-width: min(640px, 95vw); width: 560px; }
  dialog::backdrop { background: rgba(17, 24, 39, .45); }
  .dialog-body { padding: 16px 20px; }
  .dialog-actions { display: flex; justify-content: flex-end; gap: 8px; padding: 12px 20px; border-top: 1px solid #e5e7eb; background: #f9fafb; border-radius: 0 0 10px 10px; }
  h2 { font-size: 18px; margin: 0 0 8px; }
`;
