"""StepGRPO rewards (StepRAR + StepRVR) for Python trainers, from a running `stepgrpo serve`.

Standard library only (urllib + json), so it drops into any training image. One file, three uses:

* verl: ``custom_reward_function.path=<this file>``, ``custom_reward_function.name=compute_score``
  (``compute_score_dict`` to log the components too; ``compute_score_batch`` for verl's batch
  reward manager).
* TRL: ``GRPOTrainer(reward_funcs=[stepgrpo_reward])``, or ``[step_rar_reward, step_rvr_reward]``
  to log StepRAR and StepRVR separately (their sum is the StepGRPO total with the default preset).
* Any Python code: ``RewardClient().score_batch([...])``.

OpenRLHF needs no client: ``--remote_rm_url http://127.0.0.1:8008/get_reward`` (docs/server.md).

Environment: ``STEPGRPO_REWARD_URL`` (default http://127.0.0.1:8008), ``STEPGRPO_REWARD_TIMEOUT``
(seconds, default 60), ``STEPGRPO_REWARD_PRESET`` (a preset for every request; default: the
server's).
"""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
from typing import Any, Dict, List, Mapping, Optional, Sequence

DEFAULT_URL = "http://127.0.0.1:8008"

__all__ = [
    "RewardClient",
    "RewardServerError",
    "compute_score",
    "compute_score_dict",
    "compute_score_batch",
    "stepgrpo_reward",
    "step_rar_reward",
    "step_rvr_reward",
]


class RewardServerError(RuntimeError):
    """The server refused a request (status and, for bad input, the field at fault)."""

    def __init__(self, status: int, message: str, field: Optional[str] = None, index: Optional[int] = None):
        super().__init__(f"StepGRPO reward server: HTTP {status}: {message}" if status else f"StepGRPO reward server: {message}")
        self.status = status
        self.field = field
        self.index = index


class RewardClient:
    """A small JSON-over-HTTP client. Retries connection failures and 5xx replies, never 4xx."""

    def __init__(self, url: Optional[str] = None, timeout: Optional[float] = None, retries: int = 3, preset: Optional[str] = None):
        self.url = (url or os.environ.get("STEPGRPO_REWARD_URL") or DEFAULT_URL).rstrip("/")
        self.timeout = float(timeout if timeout is not None else os.environ.get("STEPGRPO_REWARD_TIMEOUT", "60"))
        self.retries = retries
        self.preset = preset if preset is not None else (os.environ.get("STEPGRPO_REWARD_PRESET") or None)

    def _request(self, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode("utf-8")
        last: Optional[BaseException] = None
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(min(0.25 * 2 ** (attempt - 1), 2.0))
            request = urllib.request.Request(self.url + path, data=data, method="GET" if data is None else "POST")
            request.add_header("Content-Type", "application/json")
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as reply:
                    return json.loads(reply.read().decode("utf-8"))
            except urllib.error.HTTPError as err:
                error = _error_of(err)
                if err.code < 500:
                    raise error from None
                last = error
            except (urllib.error.URLError, ConnectionError, TimeoutError) as err:
                last = err
        raise RewardServerError(0, f"no reply from {self.url}{path} after {self.retries + 1} attempts ({last}); is `stepgrpo serve` running?")

    def health(self) -> Dict[str, Any]:
        return self._request("/health")

    def score(self, completion: str, **reference: Any) -> Dict[str, Any]:
        """The RewardBreakdown of one chain. `reference`: answer, solution, key_steps, preset, config."""
        item = _clean({"completion": completion, **reference})
        if self.preset and "preset" not in item and "config" not in item:
            item["preset"] = self.preset
        return self._request("/score", item)["rewards"]

    def score_batch(self, items: Sequence[Mapping[str, Any]], preset: Optional[str] = None, config: Optional[Mapping[str, Any]] = None) -> List[Dict[str, Any]]:
        """One RewardBreakdown per item, in order; raises on the first item the server rejected."""
        body: Dict[str, Any] = {"items": [_clean(dict(item)) for item in items]}
        if preset or self.preset:
            body["preset"] = preset or self.preset
        if config:
            body["config"] = dict(config)
        reply = self._request("/score_batch", body)
        out = []
        for result in reply["results"]:
            if "error" in result:
                e = result["error"]
                raise RewardServerError(422, e["message"], field=e.get("field"), index=e.get("index"))
            out.append(result["rewards"])
        return out


def _error_of(err: urllib.error.HTTPError) -> RewardServerError:
    try:
        e = json.loads(err.read().decode("utf-8"))["error"]
        return RewardServerError(err.code, e["message"], field=e.get("field"))
    except Exception:  # a reply from something that is not our server
        return RewardServerError(err.code, str(err.reason))


def _clean(item: Dict[str, Any]) -> Dict[str, Any]:
    return {k: v for k, v in item.items() if v is not None}


_client: Optional[RewardClient] = None


def _default_client() -> RewardClient:
    global _client
    if _client is None:
        _client = RewardClient()
    return _client


# ---------------------------------------------------------------- verl


def _verl_item(solution_str: str, ground_truth: Any, extra_info: Optional[Mapping[str, Any]]) -> Dict[str, Any]:
    """verl's ground_truth is the gold answer, or a dict with answer/ground_truth, solution, key_steps."""
    item: Dict[str, Any] = {"completion": solution_str}
    if isinstance(ground_truth, Mapping):
        answer = ground_truth.get("answer", ground_truth.get("ground_truth"))
        for key, value in (("answer", answer), ("solution", ground_truth.get("solution")), ("key_steps", ground_truth.get("key_steps"))):
            if value is not None:
                item[key] = value
    elif ground_truth is not None:
        item["answer"] = str(ground_truth)
    if isinstance(extra_info, Mapping):
        for key in ("key_steps", "solution"):
            if key not in item and extra_info.get(key) is not None:
                item[key] = extra_info[key]
    return item


def compute_score_dict(data_source: Any, solution_str: str, ground_truth: Any, extra_info: Optional[Mapping[str, Any]] = None, **kwargs: Any) -> Dict[str, Any]:
    """verl reward function returning {"score": total, ...components} (verl logs the extra keys)."""
    r = _default_client().score_batch([_verl_item(solution_str, ground_truth, extra_info)])[0]
    return _components(r)


def compute_score(data_source: Any, solution_str: str, ground_truth: Any, extra_info: Optional[Mapping[str, Any]] = None, **kwargs: Any) -> float:
    """verl's custom reward function: the StepGRPO total reward of one response."""
    return float(compute_score_dict(data_source, solution_str, ground_truth, extra_info)["score"])


def compute_score_batch(data_sources: Sequence[Any], solution_strs: Sequence[str], ground_truths: Sequence[Any], extra_infos: Optional[Sequence[Any]] = None, **kwargs: Any) -> List[float]:
    """For verl's batch reward manager: one HTTP request for the whole batch."""
    infos = list(extra_infos) if extra_infos is not None else [None] * len(solution_strs)
    items = [_verl_item(s, g, e) for s, g, e in zip(solution_strs, ground_truths, infos)]
    return [float(r["total"]) for r in _default_client().score_batch(items)]


def _components(r: Mapping[str, Any]) -> Dict[str, Any]:
    return {
        "score": r["total"],
        "step_rar": r["r_acc"],
        "step_rvr": r["r_val"],
        "acc": 1.0 if r["answer_correct"] else 0.0,
        "key_step_ratio": r["key_step_ratio"],
    }


# ---------------------------------------------------------------- TRL

_TRL_COLUMNS = ("answer", "solution", "key_steps")


def _completion_text(completion: Any) -> str:
    """A standard completion is a string; a conversational one a list of messages (the last counts)."""
    if isinstance(completion, str):
        return completion
    if isinstance(completion, Sequence) and completion and isinstance(completion[-1], Mapping):
        return str(completion[-1].get("content", ""))
    raise TypeError(f"completion: expected a string or a list of messages, got {type(completion).__name__}")


def _trl_breakdowns(completions: Sequence[Any], kwargs: Mapping[str, Any]) -> List[Dict[str, Any]]:
    columns = {key: kwargs[key] for key in _TRL_COLUMNS if kwargs.get(key) is not None}
    if "answer" not in columns and kwargs.get("ground_truth") is not None:
        columns["answer"] = kwargs["ground_truth"]
    items = []
    for i, completion in enumerate(completions):
        item: Dict[str, Any] = {"completion": _completion_text(completion)}
        for key, values in columns.items():
            if values[i] is not None:
                item[key] = values[i] if key == "key_steps" else str(values[i])
        items.append(item)
    return _default_client().score_batch(items)


def stepgrpo_reward(prompts: Sequence[Any], completions: Sequence[Any], **kwargs: Any) -> List[float]:
    """TRL GRPOTrainer reward function: the StepGRPO total. Reads the dataset columns `answer`
    (or `ground_truth`), `solution` and `key_steps` when present."""
    return [float(r["total"]) for r in _trl_breakdowns(completions, kwargs)]


def step_rar_reward(prompts: Sequence[Any], completions: Sequence[Any], **kwargs: Any) -> List[float]:
    """TRL reward function: StepRAR alone (r_acc = answer + α · key-step ratio)."""
    return [float(r["r_acc"]) for r in _trl_breakdowns(completions, kwargs)]


def step_rvr_reward(prompts: Sequence[Any], completions: Sequence[Any], **kwargs: Any) -> List[float]:
    """TRL reward function: StepRVR alone (r_val: 1 when the chain is complete and logical)."""
    return [float(r["r_val"]) for r in _trl_breakdowns(completions, kwargs)]
