"""TRL (v1.x) reward function for StepGRPO: ``GRPOTrainer(reward_funcs=[stepgrpo_reward], ...)``.

``stepgrpo_reward`` is ``async``: TRL runs async reward functions concurrently with the others.
It returns the StepGRPO total per completion and, through TRL's ``log_extra``/``log_metric``
(when the trainer passes them), reports StepRAR, StepRVR, answer accuracy and the key-step ratio
as columns of the completions table (``completions/*.parquet``, with the ``answer`` and
``key_steps`` columns, so that Import Rollouts can rescore it; every name starts ``stepgrpo/``) and
as logged metrics. TRL decodes completions with ``skip_special_tokens=True``; end-of-sequence text
that is left is cut by the server (``end_markers``). The step
(``trainer_state.global_step``), the prompt and the completion length go to the server, so a
recorded run has TRL's steps and groups. Dataset columns ``answer`` (or ``ground_truth``),
``solution`` and ``key_steps`` are read when present. Keep ``stepgrpo_reward.py`` next to this file.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any, Callable, List, Mapping, Optional, Sequence

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from stepgrpo_reward import components, default_client  # noqa: E402

_COLUMNS = ("answer", "solution", "key_steps")
# The prefix of every column and metric this function logs.
PREFIX = "stepgrpo/"


def _text(value: Any) -> str:
    """A standard prompt/completion is a string; a conversational one a list of messages (the last
    counts), whose content is a string or, for vision models, a list of parts (the text parts count)."""
    if isinstance(value, str):
        return value
    if isinstance(value, Sequence) and value and isinstance(value[-1], Mapping):
        content = value[-1].get("content", "")
        if isinstance(content, str):
            return content
        if isinstance(content, Sequence):
            return "\n".join(p["text"] for p in content if isinstance(p, Mapping) and isinstance(p.get("text"), str))
    raise TypeError(f"expected a string or a list of messages, got {type(value).__name__}")


async def stepgrpo_reward(
    prompts: Sequence[Any],
    completions: Sequence[Any],
    completion_ids: Optional[Sequence[Sequence[int]]] = None,
    trainer_state: Any = None,
    log_extra: Optional[Callable[[str, list], None]] = None,
    log_metric: Optional[Callable[[str, float], None]] = None,
    **kwargs: Any,
) -> List[float]:
    columns = {key: kwargs[key] for key in _COLUMNS if kwargs.get(key) is not None}
    if "answer" not in columns and kwargs.get("ground_truth") is not None:
        columns["answer"] = kwargs["ground_truth"]
    client = default_client()
    items = []
    for i, completion in enumerate(completions):
        fields = {key: (values[i] if key == "key_steps" or values[i] is None else str(values[i])) for key, values in columns.items()}
        fields["prompt"] = _text(prompts[i])
        if completion_ids is not None:
            fields["tokens"] = len(completion_ids[i])
        items.append(client.item(_text(completion), **fields))
    step = getattr(trainer_state, "global_step", None)
    rewards = await client.ascore_batch(items, step=step if isinstance(step, int) else None)
    parts = [components(r) for r in rewards]
    names = ("step_rar", "step_rvr", "acc", "key_step_ratio")
    if log_extra is not None:
        # Prefixed: two reward functions logging one column name would give TRL's completions table
        # columns of unequal length, and its log step fails building the table.
        for name in names:
            log_extra(f"{PREFIX}{name}", [p[name] for p in parts])
        # The reference too, so that Import Rollouts can rescore the completions table.
        for key in ("answer", "key_steps"):
            if key in columns:
                log_extra(f"{PREFIX}{key}", [v if key == "answer" or v is None else json.dumps(v) for v in columns[key]])
    if log_metric is not None and parts:
        for name in names:
            log_metric(f"{PREFIX}{name}", sum(p[name] for p in parts) / len(parts))
        log_metric(f"{PREFIX}validity_rate", sum(1.0 for r in rewards if r["validity"] == 1) / len(rewards))
    return [float(r["total"]) for r in rewards]
