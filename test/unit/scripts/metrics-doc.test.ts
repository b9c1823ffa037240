// docs/metrics.md is the metric table rendered: stale when the table changed and the doc was not rewritten.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { it } from 'node:test';
import { METRICS_DOC, metricsDocText } from '../../../scripts/metrics-doc';

it('docs/metrics.md matches the metric table (node --import tsx scripts/metrics-doc.ts rewrites it)', () => {
  assert.equal(fs.readFileSync(METRICS_DOC, 'utf8'), metricsDocText());
});
