// The UI's message table (web/src/i18n): locale fall-back, plurals, page overrides, and that
// every key of the shipped second language exists in English (no orphan translations).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { message, defineMessages, overrideMessages, english } from '../../web/src/i18n/index.js';

// German is a module of its own: until a page imports it, German pages read English
test('German is there once its locale module is imported, not before', async () => {
  assert.equal(message('de', 'bulkActions'), 'Bulk Actions');
  await import('../../web/src/locales/de.js');
  assert.equal(message('de', 'bulkActions'), 'Sammelaktionen');
});
const { default: de } = await import('../../web/src/i18n/de.js');

test('a locale falls back region -> language -> English, key by key', () => {
  assert.equal(message('de-CH', 'bulkActions'), 'Sammelaktionen');
  assert.equal(message('de', 'nOrders', { n: 1 }), '1 Bestellung');
  assert.equal(message('de', 'nOrders', { n: 5000 }), '5.000 Bestellungen', 'numbers in the locale');
  assert.equal(message('fr', 'bulkActions'), 'Bulk Actions');
  assert.equal(message('en', 'nOrders', { n: 1 }), '1 order');
  assert.equal(message('en', 'nOrders', { n: 2 }), '2 orders');
});

test('a page rewords single strings and adds a language', () => {
  overrideMessages('en', { bulkActions: 'Mass edit' });
  assert.equal(message('en-GB', 'bulkActions'), 'Mass edit');
  assert.equal(message('en', 'confirm'), 'Confirm', 'other keys untouched');
  defineMessages('fr', { confirm: 'Confirmer' });
  assert.equal(message('fr', 'confirm'), 'Confirmer');
  assert.equal(message('fr', 'cancel'), 'Cancel', 'missing French keys fall back to English');
  overrideMessages('en', { bulkActions: english.bulkActions });
});

test('every German key is an English key', () => {
  for (const k of Object.keys(de)) assert.ok(k in english, `de.${k} has no English original`);
});

test("the admin views' words: every German key is an English key, and none is in the embedded table", async () => {
  const admin = await import('../../web/src/i18n/admin.js');
  for (const k of Object.keys(admin.de)) assert.ok(k in admin.en, `admin de.${k} has no English original`);
  for (const k of Object.keys(admin.en)) assert.ok(!(k in english), `${k} is in the admin table and in en.js`);
  assert.equal(message('de', 'auditTrail'), 'Protokoll');
});
