import { css } from 'lit';

// The look every element shares. A page restyles it through the documented --of-* custom
// properties (web/README.md) and `part`s; the font is the host page's unless --of-font-family says
// otherwise. Logical properties (inline/block, start/end) so dir="rtl" mirrors the layout.
export const base = css`
  :host {
    font-family: var(--of-font-family, inherit);
    font-size: var(--of-font-size, inherit);
    color: var(--of-color-text, #1f2937);
  }
  button {
    font: inherit;
    border: 1px solid var(--of-color-border-strong, #9ca3af);
    background: var(--of-color-surface, #fff);
    color: var(--of-color-text, #111827);
    border-radius: var(--of-radius, 6px);
    padding-block: 4px;
    padding-inline: 10px;
    cursor: pointer;
    min-height: 28px;
  }
  button.primary {
    background: var(--of-color-primary, #1d4ed8);
    color: var(--of-color-on-primary, #fff);
    border-color: var(--of-color-primary, #1d4ed8);
  }
  button:disabled,
  button[aria-disabled='true'] {
    opacity: 0.5;
    cursor: not-allowed;
  }
  button:focus-visible,
  select:focus-visible,
  input:focus-visible,
  textarea:focus-visible,
  a:focus-visible,
  [tabindex]:focus-visible {
    outline: 3px solid var(--of-color-focus, #f59e0b);
    outline-offset: 1px;
  }
  select,
  input,
  textarea {
    font: inherit;
    border: 1px solid var(--of-color-border-strong, #9ca3af);
    border-radius: var(--of-radius, 6px);
    padding-block: 3px;
    padding-inline: 6px;
    background: var(--of-color-surface, #fff);
    color: inherit;
  }
  select:disabled {
    color: var(--of-color-muted, #6b7280);
    background: var(--of-color-surface-alt, #f3f4f6);
  }
  textarea {
    width: 100%;
    box-sizing: border-box;
    min-height: 4.5em;
    resize: vertical;
  }
  label {
    display: block;
    font-weight: 600;
    margin-block: 10px 4px;
  }
  .hint {
    color: var(--of-color-muted, #4b5563);
    font-size: 0.86em;
  }
  .field-error {
    color: var(--of-color-danger, #b91c1c);
    font-size: 0.93em;
    margin-block-start: 3px;
  }
  .sr-only {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
  .spinner {
    display: inline-block;
    width: 12px;
    height: 12px;
    border: 2px solid currentColor;
    border-inline-end-color: transparent;
    border-radius: 50%;
    animation: spin 0.8s linear infinite;
    vertical-align: -2px;
  }
  @keyframes spin {
    to {
      transform: rotate(360deg);
    }
  }
  .arrow::before {
    content: '→';
  }
  .arrow:dir(rtl)::before {
    content: '←';
  }
  dialog {
    border: none;
    border-radius: calc(var(--of-radius, 6px) + 4px);
    padding: 0;
    box-shadow: 0 20px 50px rgba(0, 0, 0, 0.35);
    max-width: min(640px, 95vw);
    width: 560px;
    background: var(--of-color-surface, #fff);
    color: var(--of-color-text, #1f2937);
    font-family: var(--of-font-family, inherit);
  }
  dialog::backdrop {
    background: rgba(17, 24, 39, 0.45);
  }
  .dialog-body {
    padding: 16px 20px;
  }
  .dialog-actions {
    display: flex;
    justify-content: flex-end;
    gap: var(--of-space, 8px);
    padding: 12px 20px;
    border-block-start: 1px solid var(--of-color-border-soft, #e5e7eb);
    background: var(--of-color-surface-alt, #f9fafb);
    border-radius: 0 0 calc(var(--of-radius, 6px) + 4px) calc(var(--of-radius, 6px) + 4px);
  }
  h2 {
    font-size: 1.29em;
    margin: 0 0 8px;
  }
`;
