#!/usr/bin/env node
// Prints "PASSED FAILED" for one suite, read from the runners' machine-readable reports:
//   *.tap  node's TAP reporter (--test-reporter=tap): its closing `# pass`, `# fail` and
//          `# cancelled` lines (a cancelled test, e.g. one that timed out, counts as failed);
//   *.xml  JUnit XML, as ctest --output-junit writes it: the <testsuite> element's tests,
//          failures and errors (disabled and skipped are neither).
// The formats are fixed by the runners, so a few regular expressions read them; no XML library.
// Node's own JUnit reporter is not used: it drops the failure of a test that has subtests.
import { readFileSync } from 'node:fs';

let passed = 0;
let failed = 0;
for (const file of process.argv.slice(2)) {
  const text = readFileSync(file, 'utf8');
  if (file.endsWith('.tap')) {
    const count = (key) => [...text.matchAll(new RegExp(`^# ${key} (\\d+)$`, 'gm'))].reduce((s, m) => s + Number(m[1]), 0);
    passed += count('pass');
    failed += count('fail') + count('cancelled');
  } else if (file.endsWith('.xml')) {
    for (const m of text.matchAll(/<testsuite\b([^>]*)>/g)) {
      const attr = (name) => Number((new RegExp(`\\b${name}="(\\d+)"`).exec(m[1]) ?? [])[1] ?? 0);
      const bad = attr('failures') + attr('errors');
      failed += bad;
      passed += attr('tests') - bad - attr('disabled') - attr('skipped');
    }
  } else {
    throw new Error(`report-counts: unknown report type: ${file}`);
  }
}
console.log(`${passed} ${failed}`);
