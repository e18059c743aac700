// The list's own styles (beside shared-styles.js's base), in a file of their own as each element's
// folder keeps them: the element file stays about what the list does.
import { css } from 'lit';

export const ROW_H = 44; // one order row's height in px: the styles and the virtualizer's estimate agree

export const orderListStyles = css`
  :host {
    display: block;
  }
  .toolbar {
    display: flex;
    gap: calc(var(--of-space, 8px) * 1.5);
    align-items: center;
    flex-wrap: wrap;
    margin-block-end: var(--of-space, 8px);
  }
  .toolbar .spacer {
    flex: 1;
  }
  .menu-wrap {
    position: relative;
  }
  [role='menu'] {
    position: absolute;
    z-index: 5;
    inset-block-start: 100%;
    inset-inline-start: 0;
    background: var(--of-color-surface, #fff);
    border: 1px solid var(--of-color-border-strong, #9ca3af);
    border-radius: var(--of-radius, 6px);
    padding: 4px;
    min-width: 160px;
    box-shadow: 0 8px 20px rgba(0, 0, 0, 0.15);
  }
  [role='menuitem'] {
    display: block;
    width: 100%;
    text-align: start;
    border: none;
  }
  [role='menuitem']:hover,
  [role='menuitem']:focus {
    background: var(--of-color-selected, #eff6ff);
  }
  .view-only {
    margin: 0 0 var(--of-space, 8px);
    padding: 6px 10px;
    border-radius: var(--of-radius, 6px);
    background: var(--of-color-surface-alt, #f3f4f6);
    color: var(--of-color-text, #1f2937);
    border-inline-start: 4px solid var(--of-color-muted, #4b5563);
  }
  .scroller {
    max-height: var(--of-list-height, 62vh);
    overflow: auto;
    border: 1px solid var(--of-color-border, #d1d5db);
    border-radius: calc(var(--of-radius, 6px) + 2px);
    contain: strict;
    height: var(--of-list-height, 62vh);
  }
  .scroller.short {
    height: auto;
    contain: content;
  }
  table {
    border-collapse: collapse;
    width: 100%;
    table-layout: fixed;
  }
  th {
    position: sticky;
    inset-block-start: 0;
    background: var(--of-color-header, #f3f4f6);
    z-index: 1;
    text-align: start;
    font-weight: 600;
    padding: var(--of-space, 8px);
    border-block-end: 1px solid var(--of-color-border, #d1d5db);
    height: 24px;
    white-space: nowrap;
    overflow: hidden;
    text-overflow: ellipsis;
  }
  tbody tr.r {
    height: ${ROW_H}px;
  }
  tbody tr.r:nth-child(even) {
    background: var(--of-color-surface-alt, #f9fafb);
  }
  tbody tr.r.sel {
    background: var(--of-color-selected, #eff6ff);
  }
  td {
    padding-block: 0;
    padding-inline: var(--of-space, 8px);
    white-space: nowrap;
    overflow: hidden;
    text-overflow: ellipsis;
    border-block-end: 1px solid var(--of-color-border-soft, #eef0f3);
    height: ${ROW_H - 1}px;
  }
  .c-sel {
    width: 34px;
  }
  .c-id {
    width: 96px;
  }
  .c-cust {
    width: 110px;
  }
  .c-store {
    width: 90px;
  }
  .c-date {
    width: 104px;
  }
  .c-pay {
    width: 140px;
  }
  .c-total {
    width: 80px;
    text-align: end;
  }
  .c-status {
    width: 150px;
  }
  .c-change {
    width: 180px;
  }
  .c-upd {
    width: 130px;
  }
  .buttons {
    width: 250px;
  }
  /* the columns left out (list-columns.js names them in the table's class) */
  .no-customer .c-cust,
  .no-store .c-store,
  .no-date .c-date,
  .no-payment .c-pay,
  .no-total .c-total,
  .no-updated-by .c-upd {
    display: none;
  }
  /* A phone: the order, its status and its change control in view without scrolling sideways (the
     customer is in the order's detail view, the other columns still scroll). A cell's width is
     without its padding: 28 + 66 + 142 + 120 px fill the 356 px of a 390 px phone's demo page, for
     a 5-digit id and the longest demo status; a second button wraps under the first. */
  @media (max-width: 600px) {
    td,
    th {
      padding-inline: 4px;
    }
    .c-cust {
      display: none;
    }
    .c-sel {
      width: 20px;
    }
    .c-id {
      width: 58px;
    }
    .c-status {
      width: 134px;
    }
    .c-change {
      width: 112px;
      white-space: normal;
    }
    of-status-dropdown::part(select) {
      max-width: 112px;
    }
  }
  td.c-total {
    text-align: end;
    font-variant-numeric: tabular-nums;
  }
  .pay-open {
    color: var(--of-color-warning-text, #92400e);
    font-weight: 600;
  }
  a {
    color: var(--of-color-link, #1d4ed8);
  }
  .empty {
    padding: 24px;
    text-align: center;
    color: var(--of-color-muted, #4b5563);
  }
  .pager {
    display: flex;
    gap: var(--of-space, 8px);
    align-items: center;
    justify-content: flex-end;
    margin-block-start: var(--of-space, 8px);
  }
  .pager label {
    margin: 0;
    font-weight: 400;
  }
  .actions button {
    padding: 1px 7px;
    min-height: 24px;
    margin-inline-end: 3px;
    font-size: 0.86em;
  }
`;
