"""verl custom reward function for StepGRPO (verl v0.7.1+; v0.7.0 takes the same keys without the
``reward.`` prefix, see docs/server.md):

    reward.custom_reward_function.path=/path/to/verl_reward.py
    reward.custom_reward_function.name=compute_score        # async: verl's reward loop awaits it
    reward.reward_manager.name=naive                         # or dapo, gdpo, rate_limited; one sample per call
                                                             # (remote wants compute_score_sync)

verl's reward loop scores one sample at a time and awaits ``async def`` reward functions (it runs
a sync one in an executor: ``compute_score_sync``). The result is a dict: ``score`` is the reward,
the other keys (StepRAR, StepRVR, answer accuracy, key-step ratio) become ``reward_extra_info``,
are logged, and land in the rollout dump (``trainer.rollout_data_dir``). Keep
``stepgrpo_reward.py`` next to this file.

``ground_truth`` is the gold answer, or a dict with ``answer`` (or ``ground_truth``), ``solution``,
``key_steps``; ``extra_info["key_steps"]``/``["solution"]`` fill what it lacks. The dataset row's
``extra_info["index"]`` (with ``data_source``) names the group of samples of one prompt in a
recorded run; ``extra_info["prompt"]`` (when the dataset puts it there) is shown as its prompt.
"""

from __future__ import annotations

import os
import sys
from typing import Any, Dict, Mapping, Optional

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from stepgrpo_reward import components, default_client  # noqa: E402


def _fields(data_source: Any, ground_truth: Any, extra_info: Optional[Mapping[str, Any]]) -> Dict[str, Any]:
    fields: Dict[str, Any] = {}
    if isinstance(ground_truth, Mapping):
        fields["answer"] = ground_truth.get("answer", ground_truth.get("ground_truth"))
        fields["solution"] = ground_truth.get("solution")
        fields["key_steps"] = ground_truth.get("key_steps")
    elif ground_truth is not None:
        fields["answer"] = str(ground_truth)
    if isinstance(extra_info, Mapping):
        for key in ("key_steps", "solution"):
            if fields.get(key) is None and extra_info.get(key) is not None:
                fields[key] = extra_info[key]
        if extra_info.get("index") is not None:
            fields["group"] = f"{data_source}:{extra_info['index']}"
        if isinstance(extra_info.get("prompt"), str):
            fields["prompt"] = extra_info["prompt"]
    return fields


def _result(r: Mapping[str, Any]) -> Dict[str, Any]:
    return {"score": float(r["total"]), **components(r)}


async def compute_score(data_source: Any, solution_str: str, ground_truth: Any, extra_info: Optional[Mapping[str, Any]] = None, **kwargs: Any) -> Dict[str, Any]:
    """The StepGRPO reward of one response: ``{"score", "step_rar", "step_rvr", "acc", "key_step_ratio"}``."""
    return _result(await default_client().ascore(solution_str, **_fields(data_source, ground_truth, extra_info)))


def compute_score_sync(data_source: Any, solution_str: str, ground_truth: Any, extra_info: Optional[Mapping[str, Any]] = None, **kwargs: Any) -> Dict[str, Any]:
    """The same, for configurations that want a plain function."""
    return _result(default_client().score(solution_str, **_fields(data_source, ground_truth, extra_info)))
