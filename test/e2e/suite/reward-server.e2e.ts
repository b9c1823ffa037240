// Runs inside VS Code's extension host: Start Reward Server serves /score on loopback from the
// host process itself, and Stop Reward Server closes it.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { StartServerResult, StopServerResult } from '../../../src/extension/server/reward-server-controller';
import { applesChain } from '../../fixtures/chain-documents';
import { activate } from './extension';

suite('Reward server command', () => {
  suiteSetup(async () => {
    await activate();
  });

  test('Start Reward Server listens on loopback and scores; Stop closes it', async () => {
    const started = await vscode.commands.executeCommand<StartServerResult>('stepgrpo.startRewardServer');
    assert.equal(started.status, 'started', JSON.stringify(started));
    assert.match(started.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const again = await vscode.commands.executeCommand<StartServerResult>('stepgrpo.startRewardServer');
    assert.deepEqual(again, { status: 'already-running', url: started.url, runDir: started.runDir });
    const reply = await fetch(`${started.url}/score`, { method: 'POST', body: JSON.stringify({ completion: applesChain(), answer: '7' }) });
    assert.equal(reply.status, 200);
    const body = (await reply.json()) as { rewards: { answer_correct: boolean; validity: number } };
    assert.equal(body.rewards.answer_correct, true);
    assert.equal(body.rewards.validity, 1);
    const stopped = await vscode.commands.executeCommand<StopServerResult>('stepgrpo.stopRewardServer');
    assert.equal(stopped.status, 'stopped');
    await assert.rejects(fetch(`${started.url}/health`));
    assert.deepEqual(await vscode.commands.executeCommand<StopServerResult>('stepgrpo.stopRewardServer'), { status: 'not-running' });
  });
});
