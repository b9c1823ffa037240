// Screenshots of the Rollout viewer in the dark and the light theme, for the viewer suites: the
// panel and notifications other suites left open are closed first so the viewer fills the shot.
import * as vscode from 'vscode';
import { pressKeys, screenshot } from './extension';

export const setTheme = (theme: string): Thenable<void> => vscode.workspace.getConfiguration('workbench').update('colorTheme', theme, vscode.ConfigurationTarget.Global);

/** test-output/e2e-viewer-<name>-dark.png and -light.png of the viewer as it is. */
export async function viewerScreenshots(name: string): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closePanel');
  await vscode.commands.executeCommand('notifications.clearAll');
  for (const [theme, suffix] of [
    ['Default Dark Modern', 'dark'],
    ['Default Light Modern', 'light'],
  ] as const) {
    await setTheme(theme);
    // The same key twice (the help shown and hidden): the page has repainted in the new theme when the presses are done.
    await pressKeys(`${name}-${suffix}`, ['?', '?']);
    await screenshot(`e2e-viewer-${name}-${suffix}.png`);
  }
}
