// Text from input files echoed in error messages: control characters (terminal escapes, NUL,
// bidirectional overrides, line separators) are shown escaped, so a bad record cannot rewrite the
// terminal or split a message into misleading lines.
// eslint-disable-next-line no-control-regex -- these are the characters to escape
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g;

export function escapeControls(s: string): string {
  return s.replace(CONTROLS, (c) => {
    const code = c.charCodeAt(0);
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
