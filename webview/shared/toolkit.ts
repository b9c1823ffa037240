// Small wrappers over @vscode/webview-ui-toolkit (archived upstream): the apps call these and never
// touch the toolkit's tags, so moving to @vscode-elements/elements changes this file only.
import { provideVSCodeDesignSystem, vsCodeButton, vsCodeCheckbox, vsCodeDropdown, vsCodeOption, vsCodeTextField } from '@vscode/webview-ui-toolkit';
import { h } from './dom';

let registered = false;

export function registerToolkit(): void {
  if (registered) return;
  registered = true;
  provideVSCodeDesignSystem().register(vsCodeButton(), vsCodeCheckbox(), vsCodeDropdown(), vsCodeOption(), vsCodeTextField());
}

interface ValueElement extends HTMLElement {
  value: string;
}

/**
 * The toolkit fires `change` when a value is set from code too; handlers must only see the user's
 * changes (the host already knows the state it replayed).
 */
function quietly(flag: { quiet: boolean }, set: () => void): void {
  flag.quiet = true;
  try {
    set();
  } finally {
    flag.quiet = false;
  }
}

export interface Choice {
  value: string;
  label: string;
}

export interface DropdownHandle {
  element: HTMLElement;
  setChoices(choices: readonly Choice[], selected: string): void;
  setValue(value: string): void;
}

export function dropdown(label: string, onChange: (value: string) => void): DropdownHandle {
  const element = h('vscode-dropdown' as 'div', { 'aria-label': label, title: label }) as unknown as ValueElement;
  const flag = { quiet: false };
  element.addEventListener('change', () => flag.quiet || onChange(element.value));
  const setValue = (value: string): void => quietly(flag, () => (element.value = value));
  // Building the toolkit's options costs milliseconds: the same values keep their options, and a
  // changed label (a count) is set in place (the option tells the dropdown, which shows it).
  let values: string[] = [];
  return {
    element,
    setValue,
    setChoices(choices, selected) {
      const options = [...element.children] as HTMLElement[];
      if (choices.length === values.length && choices.every((c, i) => c.value === values[i])) {
        choices.forEach((c, i) => {
          if (options[i]!.textContent !== c.label) options[i]!.textContent = c.label;
        });
      } else {
        values = choices.map((c) => c.value);
        quietly(flag, () => element.replaceChildren(...choices.map((c) => h('vscode-option' as 'option', { value: c.value }, c.label))));
      }
      setValue(selected);
    },
  };
}

export function textField(placeholder: string, onInput: (value: string) => void): { element: HTMLElement; setValue(value: string): void } {
  const element = h('vscode-text-field' as 'input', { placeholder, 'aria-label': placeholder }) as unknown as ValueElement;
  const flag = { quiet: false };
  element.addEventListener('input', () => flag.quiet || onInput(element.value));
  return { element, setValue: (v) => quietly(flag, () => (element.value = v)) };
}

export function button(label: string, onClick: () => void, appearance: 'primary' | 'secondary' = 'secondary'): HTMLElement {
  const element = h('vscode-button' as 'button', { appearance }, label);
  element.addEventListener('click', onClick);
  return element;
}

export function checkbox(label: string, onChange: (checked: boolean) => void): { element: HTMLElement; setChecked(checked: boolean): void } {
  const element = h('vscode-checkbox' as 'input', {}, label) as unknown as HTMLInputElement;
  const flag = { quiet: false };
  element.addEventListener('change', () => flag.quiet || onChange(element.checked));
  return { element, setChecked: (c) => quietly(flag, () => (element.checked = c)) };
}
