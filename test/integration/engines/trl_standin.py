"""Stand-in for TRL v1.9.0's GRPOTrainer._calculate_rewards (trl/trainer/grpo_trainer.py at f2cd577):
dataset columns other than prompt/completion become keyword lists; `trainer_state`, `log_extra` and
`log_metric` are passed; async reward functions are gathered on an event loop; None becomes NaN.
Each prompt is repeated num_generations times, as TRL lays out a batch.

Completions are `processing_class.batch_decode(completion_ids, skip_special_tokens=True)`: the end
token the model stopped on (`eos_token`, appended to each generated text) is dropped when the
tokenizer lists it in `special_tokens`. A conversational prompt (a list of messages, whose content
may be a list of parts `{"type": "image"}`, `{"type": "text", "text"}` for vision models) gets its
completion as `[{"role": "assistant", "content": text}]`.

Input (stdin, JSON): {"path", "name", "eos_token"?, "special_tokens"?, "steps": [{"global_step",
"rows": [{"prompt", "completions": [...], "eos_token"?, ...columns}]}]}; eos_token (per row or for
all) defaults to "<|im_end|>", special_tokens to [eos_token].
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


def decode(generated, eos_token, special_tokens):
    text = generated + eos_token
    for token in special_tokens:
        text = text.replace(token, "")
    return text


def main():
    job = json.load(sys.stdin)
    fn = load(job["path"], job["name"])
    eos_token = job.get("eos_token", "<|im_end|>")
    special_tokens = job.get("special_tokens", [eos_token])
    loop = asyncio.new_event_loop()
    out = {"rewards": [], "extra": [], "metrics": []}
    for step in job["steps"]:
        inputs = [dict(row, completion=decode(c, row.get("eos_token", eos_token), special_tokens)) for row in step["rows"] for c in row["completions"]]
        prompts = [x["prompt"] for x in inputs]
        completion_ids = [list(range(len(x["completion"].split()))) for x in inputs]
        completions = [[{"role": "assistant", "content": x["completion"]}] if isinstance(x["prompt"], list) else x["completion"] for x in inputs]
        keys = [k for k in inputs[0] if k not in ("prompt", "completion", "completion_ids", "completions", "eos_token")]
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
