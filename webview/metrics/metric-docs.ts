// A chart title's hover text: the metric table's description, formula and unit (one definition per
// metric, core/metric-definitions.ts). Unknown names (another trainer's) get none.
import { metricDefinition } from '../../src/core/metric-definitions';

export function describeMetric(metric: string): string | undefined {
  const d = metricDefinition(metric);
  return d && `${d.description} Formula: ${d.formula}.${d.unit ? ` Unit: ${d.unit}.` : ''}`;
}
