// DOM for one group row: prompt, image, reference, then the chains that passed the filters. Every
// piece of chain, prompt and reference text goes through h() as a text node.
import type { RolloutSample } from '../../src/protocol/trainer-messages';
import type { ViewerLayout } from '../../src/protocol/viewer-messages';
import { h, type Child } from '../shared/dom';
import { buildChainModel, type ChainModel, type Segment } from './chain-model';
import type { Row } from './filters';

const models = new WeakMap<RolloutSample, ChainModel>();

function modelOf(sample: RolloutSample): ChainModel {
  let model = models.get(sample);
  if (!model) {
    model = buildChainModel(sample.text, sample.rewards);
    models.set(sample, model);
  }
  return model;
}

export const formatNumber = (x: number): string => (Number.isInteger(x) ? String(x) : x.toFixed(3));
const signed = (x: number): string => (x > 0 ? `+${formatNumber(x)}` : formatNumber(x));
const sign = (x: number): string => (x > 1e-9 ? 'positive' : x < -1e-9 ? 'negative' : 'zero');

function segmentNode(seg: Segment, sample: RolloutSample): Child {
  if (seg.keySteps.length === 0 && seg.violations.length === 0) return seg.text;
  const tips: string[] = [];
  for (const k of seg.keySteps) tips.push(`key step ${k + 1}: ${sample.rewards.key_steps[k]?.text ?? ''}`);
  for (const v of seg.violations) {
    const violation = sample.rewards.violations[v];
    if (violation) tips.push(`${violation.code}: ${violation.message}`);
  }
  const classes = [seg.keySteps.length ? 'ks' : '', seg.violations.length ? 'viol' : '', seg.text === '' ? 'viol-point' : ''].filter(Boolean).join(' ');
  return h('span', { class: classes, title: tips.join('\n') }, seg.text === '' ? '⚠' : seg.text);
}

function chainView(sample: RolloutSample, index: number): HTMLElement {
  const r = sample.rewards;
  const model = modelOf(sample);
  const badge = r.answer_correct
    ? h('span', { class: 'badge ok', title: `answer ${r.answer ?? ''} is correct` }, '✓')
    : h('span', { class: 'badge bad', title: r.answer === null ? 'no final answer' : `answer ${r.answer} is wrong` }, '✗');
  const head = h(
    'div',
    { class: 'chain-head' },
    badge,
    h('span', { class: 'chain-index' }, `#${index + 1}`),
    h('span', { class: 'metric', title: 'total reward' }, `total ${formatNumber(r.total)}`),
    h('span', { class: 'metric', title: 'StepRAR reward (answer + key steps)' }, `r_acc ${formatNumber(r.r_acc)}`),
    h('span', { class: `metric ${r.validity === 1 ? 'valid' : 'invalid'}`, title: 'StepRVR reward (structure and logic)' }, `r_val ${formatNumber(r.r_val)}`),
    h('span', { class: 'metric', title: 'matched key steps' }, `keys ${r.key_steps.filter((k) => k.matched).length}/${r.key_steps.length}`),
    h('span', { class: `advantage ${sign(sample.advantage)}`, title: 'group-relative advantage' }, `A ${signed(sample.advantage)}`),
    sample.engine ? engineView(sample.engine) : null,
  );
  const sections = model.sections.map((s) =>
    h(
      'div',
      { class: `section section-${s.kind}` },
      s.header.length ? h('div', { class: 'section-header' }, ...s.header.map((seg) => segmentNode(seg, sample))) : null,
      h('div', { class: 'section-body' }, ...s.body.map((seg) => segmentNode(seg, sample))),
    ),
  );
  const missing = model.missingKeySteps.length ? h('div', { class: 'missing' }, h('span', { class: 'label' }, 'Missing key steps: '), model.missingKeySteps.join(' · ')) : null;
  const violations = r.violations.length
    ? h('ul', { class: 'violations' }, ...r.violations.map((v) => h('li', { title: v.message }, h('code', {}, v.code), ` ${v.message}`)))
    : null;
  return h('article', { class: 'chain', 'data-chain': String(index) }, head, h('div', { class: 'sections' }, ...sections), missing, violations);
}

/** What the training engine itself reported for an imported sample, beside the rescored rewards. */
function engineView(engine: Record<string, number>): HTMLElement {
  const entries = Object.entries(engine);
  const text = entries.map(([k, v]) => `${k} ${formatNumber(v)}`).join(' · ');
  return h('span', { class: 'metric engine', title: `reported by the training engine (not rescored): ${text}` }, `engine: ${text}`);
}

export function groupView(row: Row, layout: ViewerLayout): HTMLElement {
  const { group, step } = row.entry;
  const samples = group.samples;
  const mean = samples.reduce((a, s) => a + s.rewards.total, 0) / Math.max(1, samples.length);
  const keySteps = group.reference.keySteps.map((k) => (Array.isArray(k) ? k.join(' | ') : k));
  const image =
    group.image && 'dataUri' in group.image && group.image.dataUri.startsWith('data:image/')
      ? h('img', { class: 'prompt-image', src: group.image.dataUri, alt: 'prompt image' })
      : null;
  return h(
    'section',
    { class: 'group', 'data-key': row.entry.key },
    h(
      'header',
      { class: 'group-head' },
      h('span', { class: 'step' }, `step ${step}`),
      h('span', { class: 'prompt-id' }, group.promptId),
      h('span', { class: 'count' }, `${row.chains.length}/${samples.length} chains`),
      h('span', { class: 'metric' }, `mean total ${formatNumber(mean)}`),
    ),
    h(
      'div',
      { class: 'group-info' },
      image,
      h(
        'div',
        { class: 'prompt-block' },
        h('div', { class: 'prompt' }, group.prompt),
        h('div', { class: 'reference' }, h('span', { class: 'label' }, 'Reference answer: '), group.reference.answer),
        keySteps.length ? h('ol', { class: 'key-steps' }, ...keySteps.map((k) => h('li', {}, k))) : null,
      ),
    ),
    h('div', { class: `chains ${layout}` }, ...row.chains.map((i) => chainView(samples[i]!, i))),
  );
}
