"""Stand-in for verl's reward loop (verl/experimental/reward_loop/reward_manager/naive.py, v0.7.1 to
1dda039) and its rollout dumps (verl/trainer/ppo/ray_trainer.py `_log_rollout_data`, the legacy
trainer; verl/trainer/ppo/v1/trainer_base.py, the v0.9 default `trainer.use_v1`): the custom
function is loaded from `reward.custom_reward_function.{path,name}`; each sample is scored alone,
awaited when `inspect.iscoroutinefunction`, else run in an executor, with keyword arguments
`data_source, solution_str, ground_truth, extra_info`. A dict result must hold `score`; all its
keys become `reward_extra_info`.

`solution_str` is `tokenizer.decode(valid_response_ids, skip_special_tokens=True)`: the end token
(and any padding) is dropped when the tokenizer lists it as special, kept as text when it does not.
The stand-in decodes the same way: `response` is what the model generated, `eos_token` is appended
(unless `truncated`), and the tokenizer's `special_tokens` are removed.

With `rollout_data_dir`, every step is dumped as `{step}.jsonl` (also decoded with
skip_special_tokens=True): the legacy trainer writes `input, output, gts, score, step`, every
reward_extra_info key and `request_id`; the v1 trainer (`trainer: "v1"`) writes only
`input, output, gts, score, step, uid`, uid `{prompt uid}_{session}_{index}`, rows sorted by uid.

Input (stdin, JSON): {"path", "name", "rollout_data_dir"?, "trainer"?: "legacy" | "v1", "pause_s"?,
"eos_token"?, "special_tokens"?, "steps": [[{"prompt", "response", "data_source", "ground_truth",
"extra_info", "truncated"?, "eos_token"?}]]} (steps numbered from 1, as verl's global_steps);
eos_token (per sample or for all) defaults to "<|im_end|>", special_tokens to [eos_token].
Output (stdout, JSON): {"scores": [[score]], "extra": [[reward_extra_info]]}
"""

import asyncio
import importlib.util
import inspect
import json
import os
import sys
import uuid


def load(path, name):
    spec = importlib.util.spec_from_file_location("custom_module", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, name)


def decode(sample, eos_token, special_tokens):
    """tokenizer.decode(..., skip_special_tokens=True) of the generated tokens."""
    text = sample["response"] + ("" if sample.get("truncated") else sample.get("eos_token", eos_token))
    for token in special_tokens:
        text = text.replace(token, "")
    return text


async def run_single(fn, sample, solution_str):
    kwargs = dict(data_source=sample["data_source"], solution_str=solution_str, ground_truth=sample["ground_truth"], extra_info=dict(sample.get("extra_info") or {}))
    if inspect.iscoroutinefunction(fn):
        result = await fn(**kwargs)
    else:
        result = await asyncio.get_running_loop().run_in_executor(None, lambda: fn(**kwargs))
    if isinstance(result, dict):
        return result["score"], dict(result)
    return result, {"acc": result}


def dump(dir_, step, samples, outputs, scores, extras, trainer):
    os.makedirs(dir_, exist_ok=True)
    rows = []
    for i, (s, output, score, extra) in enumerate(zip(samples, outputs, scores, extras)):
        entry = {"input": s["prompt"], "output": output, "gts": s["ground_truth"], "score": score, "step": step}
        if trainer == "v1":
            # agent_loop_tq.py: key f"{uid}_{session_id}_{i}", one session per rollout of the prompt.
            session = sum(1 for t in samples[:i] if t["extra_info"]["index"] == s["extra_info"]["index"])
            entry["uid"] = f"{uuid.uuid5(uuid.NAMESPACE_OID, str(s['extra_info']['index']))}_{session}_0"
        else:
            entry.update({k: extra.get(k) for k in sorted(set().union(*(e.keys() for e in extras)))})
            entry["request_id"] = f"req-{step}-{i}"
        rows.append(entry)
    if trainer == "v1":
        rows.sort(key=lambda r: (r["uid"].rsplit("_", 2)[0], int(r["uid"].rsplit("_", 2)[1])))
    with open(os.path.join(dir_, f"{step}.jsonl"), "w") as f:
        f.write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))


async def main():
    job = json.load(sys.stdin)
    fn = load(job["path"], job["name"])
    eos_token = job.get("eos_token", "<|im_end|>")
    special_tokens = job.get("special_tokens", [eos_token])
    out = {"scores": [], "extra": []}
    for step, samples in enumerate(job["steps"], start=1):
        if step > 1:
            await asyncio.sleep(job.get("pause_s", 0))  # the update between two rollout phases
        outputs = [decode(s, eos_token, special_tokens) for s in samples]
        results = await asyncio.gather(*(run_single(fn, s, o) for s, o in zip(samples, outputs)))
        scores = [r[0] for r in results]
        extras = [r[1] for r in results]
        if job.get("rollout_data_dir"):
            dump(job["rollout_data_dir"], step, samples, outputs, scores, extras, job.get("trainer", "legacy"))
        out["scores"].append(scores)
        out["extra"].append(extras)
    print(json.dumps(out))


asyncio.run(main())
