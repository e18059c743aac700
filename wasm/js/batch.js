// planBulk's call into the engine: the columns (columns.js) copied into the wasm heap, laid out
// behind one described header, and planBatch's answer read back. The header is the boundary:
// HEADER here and BatchHeader in wasm/src/bindings.cpp name the same words in the same order.
import { parseAnswer } from './args.js';
import { READS_STORE, READS_FIELDS, READS_ITEMS } from './columns.js';

// The header planBatch reads (wasm/src/bindings.cpp: BatchHeader, the same words in the same
// order): one uint32 each, a count, a length, or a byte offset into the wasm heap (0 for a
// column the engine will not read, per batchReads).
export const HEADER = Object.freeze({
  COUNT: 0, // orders
  STATUS: 1, // uint32[count]: index into the string table
  STORE: 2, // uint32[count]: index into the string table, or 0
  FIELDS: 3, // uint32[fieldColumns * count]: the guard fields' values (index into the
  // string table), column f at f * count; or 0
  FIELD_COLUMNS: 4, // how many columns FIELDS holds (the workflow's guardFields, in order)
  VALID: 5, // uint8[count]: 1 = read by the columns, 0 = invalid_order
  ITEM_BEGIN: 6, // uint32[count + 1]: offsets into the item columns, or 0
  ITEM_KIND: 7, // uint8[items]: in_stock 0 absent, 1 false, 2 true, 3 number; or 0
  ITEM_STOCK: 8, // float64[items], or 0
  ITEM_QUANTITY: 9, // float64[items] (NaN: absent), or 0
  ITEMS_PRESENT: 10, // uint8[count]: 1 = the order has an items array, or 0
  ITEM_SKU: 11, // uint32[items]: the item's sku, index into the string table (0: none);
  // or 0 (then the engine leaves stock refusals to check)
  OUT: 12, // uint32[count]: receives each order's verdict index
  TEXT: 13, // the text arguments below, one after another (UTF-8)
  STRINGS_LENGTH: 14, // the string table as a JSON array, index 0 unused
  TO_LENGTH: 15, // the target status
  FIELDS_LENGTH: 16, // the change's fields (notes, ...), JSON
  ACTOR_LENGTH: 17, // the actor, JSON
});
const HEADER_WORDS = 18;

export function planColumns(m, io, h, cols, n, items, nFields, tableText, reads, to, fieldsText, actorText) {
  // Layout: the header, then 8-byte aligned doubles, then uint32 columns, then bytes.
  const itemCount = Math.max(items, 1);
  const headerWords = HEADER_WORDS + (HEADER_WORDS & 1); // even: the doubles after it stay 8-byte aligned
  const bytes = headerWords * 4 + itemCount * 20 + n * 4 * (3 + nFields) + (n + 1) * 4 + n * 2 + itemCount + 16;
  const base = m._malloc(bytes);
  if (!base) throw new RangeError('orderflow: out of memory for planBulk');
  try {
    const pHeader = (base + 7) & ~7;
    const pStock = pHeader + headerWords * 4;
    const pQuantity = pStock + itemCount * 8;
    const pStatus = pQuantity + itemCount * 8;
    const pStore = pStatus + n * 4;
    const pFields = pStore + n * 4;
    const pOut = pFields + n * 4 * nFields;
    const pSku = pOut + n * 4;
    const pItemBegin = pSku + itemCount * 4;
    const pValid = pItemBegin + (n + 1) * 4;
    const pPresent = pValid + n;
    const pKind = pPresent + n;
    const heapF64 = m.HEAPF64;
    const heapU32 = m.HEAPU32;
    const heapU8 = m.HEAPU8;
    // Only the columns the engine reads (batchReads) are copied; the others go as 0 (absent).
    const readStore = (reads & READS_STORE) !== 0;
    const readFields = (reads & READS_FIELDS) !== 0 && nFields > 0;
    const readItems = (reads & READS_ITEMS) !== 0;
    heapU32.set(cols.status.subarray(0, n), pStatus >> 2);
    heapU8.set(cols.valid.subarray(0, n), pValid);
    if (readStore) heapU32.set(cols.store.subarray(0, n), pStore >> 2);
    if (readFields) heapU32.set(cols.fields.subarray(0, n * nFields), pFields >> 2);
    if (readItems) {
      heapF64.set(cols.stock.subarray(0, items), pStock >> 3);
      heapF64.set(cols.quantity.subarray(0, items), pQuantity >> 3);
      heapU32.set(cols.itemBegin.subarray(0, n + 1), pItemBegin >> 2);
      heapU8.set(cols.itemsPresent.subarray(0, n), pPresent);
      heapU8.set(cols.kind.subarray(0, items), pKind);
      heapU32.set(cols.sku.subarray(0, items), pSku >> 2);
    }
    const len = io.write(m, [tableText, to, fieldsText, actorText]);
    const header = m.HEAPU32.subarray(pHeader >> 2, (pHeader >> 2) + HEADER_WORDS);
    header[HEADER.COUNT] = n;
    header[HEADER.STATUS] = pStatus;
    header[HEADER.STORE] = readStore ? pStore : 0;
    header[HEADER.FIELDS] = readFields ? pFields : 0;
    header[HEADER.FIELD_COLUMNS] = readFields ? nFields : 0;
    header[HEADER.VALID] = pValid;
    header[HEADER.ITEM_BEGIN] = readItems ? pItemBegin : 0;
    header[HEADER.ITEM_KIND] = readItems ? pKind : 0;
    header[HEADER.ITEM_STOCK] = readItems ? pStock : 0;
    header[HEADER.ITEM_QUANTITY] = readItems ? pQuantity : 0;
    header[HEADER.ITEMS_PRESENT] = readItems ? pPresent : 0;
    header[HEADER.ITEM_SKU] = readItems ? pSku : 0;
    header[HEADER.OUT] = pOut;
    header[HEADER.TEXT] = io.ptr;
    header[HEADER.STRINGS_LENGTH] = len[0];
    header[HEADER.TO_LENGTH] = len[1];
    header[HEADER.FIELDS_LENGTH] = len[2];
    header[HEADER.ACTOR_LENGTH] = len[3];
    const verdicts = m.planBatch(h, pHeader);
    io.done(m);
    const parsed = parseAnswer(verdicts);
    // The call may have grown memory: take a fresh view.
    const index = cols.verdict.subarray(0, n);
    index.set(new Uint32Array(m.HEAPU32.buffer, pOut, n));
    return { index, table: parsed };
  } finally {
    m._free(base);
  }
}
