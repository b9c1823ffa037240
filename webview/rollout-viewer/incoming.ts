// The host's messages that arrived between two frames (pure): in order, with each run of appends to
// one step's groups (or to one prompt's history) merged into the message before it, so the page
// files, filters and counts those groups once instead of once per message.
import type { HostToViewer } from '../../src/protocol/viewer-messages';

type GroupsMessage = Extract<HostToViewer, { type: 'rollouts' | 'history' }>;

const target = (m: GroupsMessage): string => (m.type === 'rollouts' ? `step ${m.step}` : `prompt ${m.promptId}`);

export function mergeAppends(messages: readonly HostToViewer[]): HostToViewer[] {
  const out: HostToViewer[] = [];
  for (const m of messages) {
    const last = out.at(-1);
    if ((m.type === 'rollouts' || m.type === 'history') && m.append && last?.type === m.type && target(last) === target(m))
      out[out.length - 1] = { ...last, groups: [...last.groups, ...m.groups] } as GroupsMessage;
    else out.push(m);
  }
  return out;
}
