import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cycle, KEY_BINDINGS, keyAction, moveCursor } from '../../../webview/rollout-viewer/keyboard';

const press = (key: string, mods: Partial<{ ctrlKey: boolean; metaKey: boolean; altKey: boolean }> = {}, inField = false) =>
  keyAction({ key, ctrlKey: false, metaKey: false, altKey: false, ...mods }, inField);

describe('viewer keyboard', () => {
  it('every binding has its own key and a line in the help; steps, groups, chains and each filter are reachable', () => {
    assert.equal(new Set(KEY_BINDINGS.map((b) => b.key)).size, KEY_BINDINGS.length);
    for (const action of ['nextStep', 'previousStep', 'nextGroup', 'previousGroup', 'nextChain', 'previousChain', 'cycleValidity', 'cycleAnswer', 'cycleSpread', 'cycleFlag'])
      assert.ok(
        KEY_BINDINGS.some((b) => b.action === action && b.does.length > 0),
        action,
      );
    assert.equal(press(']'), 'nextStep');
    assert.equal(press('?'), 'help');
  });

  it('keys do nothing with Ctrl, Cmd or Alt, nor while typing in a field (but Esc)', () => {
    assert.equal(press('j', { ctrlKey: true }), null);
    assert.equal(press('j', { altKey: true }), null);
    assert.equal(press('j', {}, true), null);
    assert.equal(press('Escape', {}, true), 'back');
    assert.equal(press('x'), null);
  });

  it('cycles wrap both ways', () => {
    assert.equal(cycle(['a', 'b', 'c'], 'c'), 'a');
    assert.equal(cycle(['a', 'b', 'c'], 'a', -1), 'c');
    assert.equal(cycle([null, 'x'], null), 'x');
  });

  it('the cursor moves by chain across rows and by row to the first chain; it stops at the ends', () => {
    const lengths = [2, 3];
    assert.deepEqual(moveCursor(lengths, null, 'chain', 1), { row: 0, chain: 0 });
    assert.deepEqual(moveCursor(lengths, { row: 0, chain: 1 }, 'chain', 1), { row: 1, chain: 0 });
    assert.deepEqual(moveCursor(lengths, { row: 1, chain: 0 }, 'chain', -1), { row: 0, chain: 1 });
    assert.deepEqual(moveCursor(lengths, { row: 1, chain: 2 }, 'chain', 1), { row: 1, chain: 2 });
    assert.deepEqual(moveCursor(lengths, { row: 0, chain: 1 }, 'row', 1), { row: 1, chain: 0 });
    assert.deepEqual(moveCursor(lengths, null, 'row', -1), { row: 1, chain: 0 });
    assert.equal(moveCursor([], null, 'row', 1), null);
  });
});
