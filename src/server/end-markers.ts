// End-of-sequence and padding text that an engine leaves at the end of a completion. OpenRLHF
// decodes the whole query with `skip_special_tokens=False` (openrlhf/utils/agent.py, v0.11.0), so
// its responses end with the chat template's end token, sometimes followed by padding; scored as
// is, the final answer reads `3<|im_end|>` and is judged wrong. The server scores the text before
// these markers and records the completion as sent (`raw`) beside it.

/**
 * Qwen (`<|im_end|>`, padding `<|endoftext|>`), Llama 3 (`<|eot_id|>`, `<|end_of_text|>`),
 * Mistral / Llama 2 (`</s>`) and GPT-style models (`<|endoftext|>`).
 */
export const DEFAULT_END_MARKERS: readonly string[] = ['<|im_end|>', '<|endoftext|>', '<|eot_id|>', '<|end_of_text|>', '</s>'];

export interface SplitCompletion {
  /** What the model wrote before its end markers: the text that is scored. */
  text: string;
  /** The trailing markers (repeated, in any order, with the whitespace among them); '' when none. */
  suffix: string;
}

const isSpace = (code: number): boolean => code === 32 || (code >= 9 && code <= 13);

/**
 * Splits every trailing marker off `completion`. Whitespace is removed only where a marker follows
 * it, so a chain without markers, or the chain before them, is returned unchanged.
 */
export function splitEndMarkers(completion: string, markers: readonly string[] = DEFAULT_END_MARKERS): SplitCompletion {
  let end = completion.length;
  for (;;) {
    let at = end;
    while (at > 0 && isSpace(completion.charCodeAt(at - 1))) at--;
    const marker = markers.find((m) => m.length > 0 && m.length <= at && completion.startsWith(m, at - m.length));
    if (marker === undefined) break;
    end = at - marker.length;
  }
  return { text: completion.slice(0, end), suffix: completion.slice(end) };
}
