"""Stand-in for OpenRLHF v0.11.0's single-turn reward call (openrlhf/utils/agent.py at 3c3be62,
SingleTurnAgentExecutor.execute): `--reward.remote_url` is either a `.py` file whose
`reward_func(queries, prompts, labels)` is loaded with importlib and called in a thread with one
sample, or an HTTP URL that gets `{"query": [q], "prompts": [p], "labels": [l]}` per sample, 5 tries
with a 1 s pause, errors logged at info level. `scores` falls back to `rewards`. Samples of all
prompts run concurrently.

The query is `hf_tokenizer.decode(prompt_token_ids + action_token_ids, skip_special_tokens=False)`:
the chat-templated prompt, the response, and the end token vLLM stopped on (`<|im_end|>` for Qwen,
`<|eot_id|>` for Llama 3 ...), which is kept because special tokens are not skipped. A response cut
at max_tokens (finish_reason "length") has no end token.

Input (stdin, JSON): {"remote_url", "eos_token"?, "samples": [{"prompt", "response", "label",
"truncated"?, "eos_token"?}]}; eos_token (per sample or for all) defaults to Qwen's "<|im_end|>"
(R1-VL's Qwen2.5-VL).
Output (stdout, JSON): [{"reward", "scores", "extra_logs", "error"?}] in input order.
"""

import asyncio
import importlib.util
import json
import sys
import urllib.request


def load_reward_func(path):
    spec = importlib.util.spec_from_file_location("reward_func", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.reward_func


async def via_http(url, query, prompt, label):
    payload = json.dumps({"query": [query], "prompts": [prompt], "labels": [label]}).encode()
    last = None
    for _ in range(5):
        try:
            request = urllib.request.Request(url, data=payload, method="POST", headers={"Content-Type": "application/json"})
            reply = await asyncio.to_thread(lambda: urllib.request.urlopen(request, timeout=180).read())
            return json.loads(reply)
        except Exception as err:  # OpenRLHF logs and retries every failure
            last = err
            print(f"INFO Request error, please check: {err}", file=sys.stderr)
        await asyncio.sleep(1)
    raise RuntimeError(f"Request error for 5 times, returning None. Please check the API server. ({last})")


async def one(remote_url, reward_func, sample, eos_token):
    query = sample["prompt"] + sample["response"] + ("" if sample.get("truncated") else sample.get("eos_token", eos_token))
    out = {"reward": None, "scores": None, "extra_logs": {}}
    try:
        if reward_func:
            info = await asyncio.to_thread(reward_func, [query], [sample["prompt"]], [sample["label"]])
        else:
            info = await via_http(remote_url, query, sample["prompt"], sample["label"])
        score = info.get("scores")
        if score is None:
            score = info.get("rewards")
        out.update(reward=info.get("rewards"), scores=score, extra_logs=info.get("extra_logs") or {})
    except Exception as err:
        print(f"INFO [SingleTurnExecutor] Failed to fetch reward from remote RM: {err}", file=sys.stderr)
        out["error"] = str(err)
    return out


async def main():
    job = json.load(sys.stdin)
    url = job["remote_url"]
    reward_func = load_reward_func(url) if url.endswith(".py") else None
    eos_token = job.get("eos_token", "<|im_end|>")
    results = await asyncio.gather(*(one(url, reward_func, s, eos_token) for s in job["samples"]))
    print(json.dumps(results))


asyncio.run(main())
