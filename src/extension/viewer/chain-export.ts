// "Open in Editor" from the Rollout viewer: one chain as a Markdown document whose YAML front matter
// holds its reference (answer, key steps), the format the inline annotations read, so the editor
// scores and highlights it as the viewer did. JSON is valid YAML flow syntax: every value is
// written with JSON.stringify, so no chain or prompt text can break out of the front matter. A
// chat model's chain as it wrote it (special tokens included) is kept there as `as_written`.
import type { RolloutGroup, RolloutSample } from '../../protocol/trainer-messages';

export function chainDocument(group: RolloutGroup, sample: RolloutSample, where: { run: string | null; step: number; reward?: unknown }): string {
  const lines = [
    '---',
    `answer: ${JSON.stringify(group.reference.answer)}`,
    `key_steps: ${JSON.stringify(group.reference.keySteps)}`,
    `prompt: ${JSON.stringify(group.prompt)}`,
    `source: ${JSON.stringify(`${where.run ?? 'rollouts'} · step ${where.step} · ${group.promptId}`)}`,
    // The run's reward (its config.json `reward`): the editor scores the chain as the run did.
    ...(where.reward !== undefined ? [`reward_config: ${JSON.stringify(where.reward)}`] : []),
    `reward_in_run: ${JSON.stringify({ total: sample.rewards.total, r_acc: sample.rewards.r_acc, r_val: sample.rewards.r_val, mode: sample.rewards.mode, advantage: sample.advantage })}`,
    // The model's own text (chat special tokens, end token) when the chain shown differs from it.
    ...(sample.raw !== undefined ? [`as_written: ${JSON.stringify(sample.raw)}`] : []),
    '---',
    '',
  ];
  return `${lines.join('\n')}${sample.text}\n`;
}
