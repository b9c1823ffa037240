// Optional key-step extraction through an OpenAI-compatible chat-completions endpoint, with an
// extraction prompt in the spirit of the paper's (our wording). The reply is read as the raw
// "Key Elements: ..." text format.
import { parseKeyElementsText } from '../../core/key-steps';
import type { KeyStepGroup } from '../../core/reward-types';

export const EXTRACTION_PROMPT = `You extract the key steps of a reference solution to a visual math problem.
Reply with one line in exactly this format and nothing else:
Key Elements: Image Description: [item, item]; Rationales: [item]; Step 1: [item, item]; Step 2: [item] ...
Items are short phrases copied from the solution: the equations, the numbers with their units and
the named objects a correct reasoning chain must contain. Separate alternatives of one item with " | ".`;

export interface EndpointOptions {
  url: string;
  model: string;
  apiKey?: string;
  timeoutMs?: number;
}

export async function extractWithEndpoint(solution: string, opts: EndpointOptions): Promise<KeyStepGroup[]> {
  const url = opts.url.replace(/\/+$/, '');
  const endpoint = url.endsWith('/chat/completions') ? url : `${url}/chat/completions`;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (opts.apiKey) headers.authorization = `Bearer ${opts.apiKey}`;
  const res = await fetch(endpoint, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      model: opts.model,
      temperature: 0,
      messages: [
        { role: 'system', content: EXTRACTION_PROMPT },
        { role: 'user', content: solution },
      ],
    }),
    signal: AbortSignal.timeout(opts.timeoutMs ?? 60_000),
  });
  if (!res.ok) throw new Error(`endpoint ${endpoint} answered HTTP ${res.status}`);
  const body = (await res.json()) as { choices?: { message?: { content?: unknown } }[] };
  const content = body.choices?.[0]?.message?.content;
  if (typeof content !== 'string') throw new Error(`endpoint ${endpoint}: reply has no choices[0].message.content`);
  return parseKeyElementsText(content);
}
