// A CMS makes the UI its own (issue #12): its font is inherited, --of-* custom properties and
// ::part() restyle it, <html lang> translates it (dates and numbers through Intl), and
// dir="rtl" mirrors it. Screenshots of each land in test-results/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, newPage, signIn, token, cmsOrders, screenshot } from './helpers.js';

let env;
let tok;

before(async () => {
  env = await setup();
  tok = await token(env.url, 'admin');
});
after(async () => {
  await env?.close();
});

// The host page's own stylesheet. On the demo page the elements live in <of-demo>'s shadow root,
// so the "CMS" rules are added there, as a CMS would put them in its own page.
const CMS_CSS = `
  :host { font-family: "DejaVu Serif", Georgia, serif; font-size: 15px;
    --of-color-primary: rgb(124, 45, 18); --of-radius: 0px; --of-space: 10px;
    --of-color-header: rgb(254, 243, 199); --of-color-border: rgb(180, 83, 9); }
  of-order-workspace::part(row) { background: rgb(255, 251, 235); }
  of-order-workspace::part(toolbar) { padding: 6px; background: rgb(254, 215, 170); }
`;

async function hostCss(page, css) {
  await page.evaluate((text) => {
    const root = document.querySelector('of-demo').shadowRoot;
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(text);
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
  }, css);
}

const cellStyle = (loc, prop) => loc.evaluate((el, p) => getComputedStyle(el)[p], prop);

test('restyled, translated and right-to-left, from the host page only', async () => {
  const orders = await cmsOrders(env.url, tok, 'status=processing');
  const first = orders[0];
  const { page, context } = await newPage(env.browser);
  try {
    await signIn(page, env.url, 'admin', 'status=processing&per_page=25');
    await hostCss(page, CMS_CSS);
    const cell = page.locator(`of-order-list tr[data-order-id="${first.id}"] td.c-cust`);
    assert.match(await cellStyle(cell, 'fontFamily'), /DejaVu Serif/, "the page's font, not system-ui");
    assert.equal(
      await cellStyle(page.locator(`of-order-list tr[data-order-id="${first.id}"]`), 'backgroundColor'),
      'rgb(255, 251, 235)',
      '::part(row)',
    );
    assert.equal(await cellStyle(page.locator('of-order-list th.c-id'), 'backgroundColor'), 'rgb(254, 243, 199)', '--of-color-header');
    await page.getByRole('combobox', { name: `Status for order ${first.id}`, exact: true }).selectOption({ label: 'Cancelled' });
    const confirm = page.getByRole('dialog').getByRole('button', { name: 'Confirm' });
    assert.equal(await cellStyle(confirm, 'backgroundColor'), 'rgb(124, 45, 18)', '--of-color-primary');
    assert.equal(await cellStyle(confirm, 'borderTopLeftRadius'), '0px', '--of-radius');
    await screenshot(page, 'restyled.png');
    await page.keyboard.press('Escape');

    // the page switches to German: every element re-renders in it, dates and numbers too
    await page.evaluate(() => {
      document.documentElement.lang = 'de';
    });
    await page.getByRole('button', { name: 'Sammelaktionen' }).waitFor();
    await page.getByRole('columnheader', { name: 'Bestellung', exact: true }).waitFor();
    await page.getByText(`${orders.length} Bestellungen`).waitFor();
    const date = await page.locator(`of-order-list tr[data-order-id="${first.id}"] td.c-date`).innerText();
    assert.equal(date, new Intl.DateTimeFormat('de', { dateStyle: 'medium' }).format(new Date(first.created_at)));
    const total = await page.locator(`of-order-list tr[data-order-id="${first.id}"] td.c-total`).innerText();
    assert.equal(total, new Intl.NumberFormat('de', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(first.total));
    await page.getByRole('combobox', { name: `Status von Bestellung ${first.id}`, exact: true }).selectOption({ label: 'Cancelled' });
    const dlg = page.getByRole('dialog', { name: `Bestellung ${first.id} ändern in Cancelled` });
    await dlg.getByRole('button', { name: 'Bestätigen' }).waitFor();
    await screenshot(page, 'translated-de.png');
    await page.keyboard.press('Escape');
    await dlg.waitFor({ state: 'hidden' });

    // right to left: columns mirror (the first column on the right), headings start on the right,
    // and the count still reads "25 Bestellungen" (number first) inside the right-to-left page
    await page.evaluate(() => {
      document.documentElement.dir = 'rtl';
    });
    const xOf = async (name) => (await page.getByRole('columnheader', { name, exact: true }).boundingBox()).x;
    assert.ok((await xOf('Bestellung')) > (await xOf('Kunde')), 'Order column right of Customer');
    const th = page.getByRole('columnheader', { name: 'Kunde', exact: true });
    assert.equal(await cellStyle(th, 'textAlign'), 'start');
    const [numX, wordX] = await page.locator('of-order-list [part=count]').evaluate((el) => {
      const text =
        el.firstChild.nodeType === 3 ? el.firstChild : [...el.childNodes].find((n) => n.nodeType === 3 && /\d/.test(n.textContent));
      const i = text.textContent.search(/\d/);
      const j = text.textContent.search(/[A-Za-z]/);
      const r = (a) => {
        const g = document.createRange();
        g.setStart(text, a);
        g.setEnd(text, a + 1);
        return g.getBoundingClientRect().x;
      };
      return [r(i), r(j)];
    });
    assert.ok(numX < wordX, 'the number reads before the word');
    await screenshot(page, 'rtl.png');
  } finally {
    await context.close();
  }
});
