"""Stand-in for verl v0.7+'s reward loop (verl/experimental/reward_loop/reward_manager/naive.py and
the rollout dump of verl/trainer/ppo/ray_trainer.py, written from their sources): the custom
function is loaded from `reward.custom_reward_function.{path,name}`; each sample is scored alone,
awaited when `inspect.iscoroutinefunction`, else run in an executor, with keyword arguments
`data_source, solution_str, ground_truth, extra_info`. A dict result must hold `score`; all its
keys become `reward_extra_info`. With `rollout_data_dir`, every step is dumped as `{step}.jsonl`
with `input, output, gts, score, step` and every reward_extra_info key.

Input (stdin, JSON): {"path", "name", "rollout_data_dir"?, "pause_s"?, "steps": [[{"prompt", "response",
"data_source", "ground_truth", "extra_info"}]]} (steps numbered from 1, as verl's global_steps)
Output (stdout, JSON): {"scores": [[score]], "extra": [[reward_extra_info]]}
"""

import asyncio
import importlib.util
import inspect
import json
import os
import sys


def load(path, name):
    spec = importlib.util.spec_from_file_location("custom_module", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, name)


async def run_single(fn, sample):
    kwargs = dict(data_source=sample["data_source"], solution_str=sample["response"], ground_truth=sample["ground_truth"], extra_info=dict(sample.get("extra_info") or {}))
    if inspect.iscoroutinefunction(fn):
        result = await fn(**kwargs)
    else:
        result = await asyncio.get_running_loop().run_in_executor(None, lambda: fn(**kwargs))
    if isinstance(result, dict):
        return result["score"], dict(result)
    return result, {"acc": result}


def dump(dir_, step, samples, scores, extras):
    os.makedirs(dir_, exist_ok=True)
    keys = set().union(*(e.keys() for e in extras))
    with open(os.path.join(dir_, f"{step}.jsonl"), "w") as f:
        lines = []
        for s, score, extra in zip(samples, scores, extras):
            entry = {"input": s["prompt"], "output": s["response"], "gts": s["ground_truth"], "score": score, "step": step}
            for k in sorted(keys):
                entry[k] = extra.get(k)
            lines.append(json.dumps(entry, ensure_ascii=False))
        f.write("\n".join(lines) + "\n")


async def main():
    job = json.load(sys.stdin)
    fn = load(job["path"], job["name"])
    out = {"scores": [], "extra": []}
    for step, samples in enumerate(job["steps"], start=1):
        if step > 1:
            await asyncio.sleep(job.get("pause_s", 0))  # the update between two rollout phases
        results = await asyncio.gather(*(run_single(fn, s) for s in samples))
        scores = [r[0] for r in results]
        extras = [r[1] for r in results]
        if job.get("rollout_data_dir"):
            dump(job["rollout_data_dir"], step, samples, scores, extras)
        out["scores"].append(scores)
        out["extra"].append(extras)
    print(json.dumps(out))


asyncio.run(main())
