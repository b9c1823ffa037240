// Export PNG's width: a few common widths, or one the user types (within PNG_WIDTH).
import * as vscode from 'vscode';
import { PNG_WIDTH } from '../../protocol/metrics-messages';

/** The widths offered first; the first is the default. */
const PNG_WIDTHS = [1200, 800, 1600, 2400];

export const isPngWidth = (w: number): boolean => Number.isInteger(w) && w >= PNG_WIDTH.min && w <= PNG_WIDTH.max;

/** Asks the export's width in CSS pixels; undefined when cancelled. */
export async function pickPngWidth(): Promise<number | undefined> {
  const other = 'Other width…';
  const picked = await vscode.window.showQuickPick([...PNG_WIDTHS.map((w) => `${w} px`), other], {
    title: 'Export PNG: image width',
    placeHolder: 'The charts are laid out in columns to fill this width',
  });
  if (!picked) return undefined;
  if (picked !== other) return parseInt(picked, 10);
  const typed = await vscode.window.showInputBox({
    title: 'Export PNG: image width in pixels',
    value: String(PNG_WIDTHS[0]),
    validateInput: (v) => (isPngWidth(Number(v)) ? null : `a whole number from ${PNG_WIDTH.min} to ${PNG_WIDTH.max}`),
  });
  return typed === undefined ? undefined : Number(typed);
}
