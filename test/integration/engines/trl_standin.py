"""Stand-in for TRL v1.x's GRPOTrainer._calculate_rewards (trl/trainer/grpo_trainer.py, written from
its source): dataset columns other than prompt/completion become keyword lists; `trainer_state`,
`log_extra` and `log_metric` are passed; async reward functions are gathered on an event loop;
None becomes NaN. Each prompt is repeated num_generations times, as TRL lays out a batch.

Input (stdin, JSON): {"path", "name", "steps": [{"global_step", "rows": [{"prompt", "completions": [...], ...columns}]}]}
Output (stdout, JSON): {"rewards": [[...]], "extra": [{column: values}], "metrics": [{name: [values]}]}
"""

import asyncio
import importlib.util
import inspect
import json
import math
import sys
from collections import defaultdict


class TrainerState:
    def __init__(self, global_step):
        self.global_step = global_step


def load(path, name):
    spec = importlib.util.spec_from_file_location("reward_module", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, name)


def main():
    job = json.load(sys.stdin)
    fn = load(job["path"], job["name"])
    loop = asyncio.new_event_loop()
    out = {"rewards": [], "extra": [], "metrics": []}
    for step in job["steps"]:
        inputs = [dict(row, completion=c) for row in step["rows"] for c in row["completions"]]
        prompts = [x["prompt"] for x in inputs]
        completions = [x["completion"] for x in inputs]
        completion_ids = [list(range(len(c.split()))) for c in completions]
        keys = [k for k in inputs[0] if k not in ("prompt", "completion", "completion_ids", "completions")]
        kwargs = {k: [x.get(k) for x in inputs] for k in keys}
        extra = defaultdict(list)
        metrics = defaultdict(list)
        kwargs["trainer_state"] = TrainerState(step["global_step"])
        kwargs["log_extra"] = lambda column, values: extra[column].extend(values)
        kwargs["log_metric"] = lambda name, value: metrics[name].append(value)
        if inspect.iscoroutinefunction(fn):
            rewards = loop.run_until_complete(fn(prompts=prompts, completions=completions, completion_ids=completion_ids, **kwargs))
        else:
            rewards = fn(prompts=prompts, completions=completions, completion_ids=completion_ids, **kwargs)
        out["rewards"].append([math.nan if r is None else r for r in rewards])
        out["extra"].append(dict(extra))
        out["metrics"].append(dict(metrics))
    print(json.dumps(out))


main()
