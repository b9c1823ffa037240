"""OpenRLHF (v0.10.2+) reward function file for StepGRPO: ``--reward.remote_url /path/to/openrlhf_reward_func.py``.

OpenRLHF loads this file and calls ``reward_func(queries, prompts, labels)`` in a worker thread,
one sample per call (its single-turn agent executor); it reads ``rewards``, ``scores`` and
``extra_logs`` from the returned dict. The call goes to the reward server's ``/get_reward``, which
strips the prompt from the front of the query and the end token from its back (OpenRLHF decodes
the query with ``skip_special_tokens=False``: it ends with ``<|im_end|>``, ``<|eot_id|>``,
``</s>`` ...), reads the label (the gold answer, or a JSON object with ``answer``, ``solution``,
``key_steps``), groups samples by prompt in a recorded run, and scores. The end markers are the
server's unless ``STEPGRPO_REWARD_END_MARKERS`` is set. Keep ``stepgrpo_reward.py`` next to this
file. Label column: ``--data.label_key``.

Errors raise: OpenRLHF catches them and logs at *info* level ("Failed to fetch reward"), so a
misconfiguration shows in the log with the server's message naming the bad field.
"""

from __future__ import annotations

import os
import sys
from typing import Any, Dict, List, Optional

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from stepgrpo_reward import default_client  # noqa: E402


def reward_func(queries: List[str], prompts: List[str], labels: List[Optional[str]], **kwargs: Any) -> Dict[str, Any]:
    client = default_client()
    body: Dict[str, Any] = {"query": list(queries), "prompts": list(prompts)}
    if client.end_markers is not None:
        body["end_markers"] = client.end_markers
    if labels is not None and any(label is not None for label in labels):
        body["labels"] = ["" if label is None else str(label) for label in labels]
    reply = client.request("/get_reward", body)
    logs = reply["extra_logs"]
    # One sample per call: OpenRLHF turns each extra_logs value into a one-element tensor.
    extra = {key: (values[0] if len(values) == 1 else sum(values) / len(values)) for key, values in logs.items()}
    return {"rewards": reply["rewards"], "scores": reply["scores"], "extra_logs": extra}
