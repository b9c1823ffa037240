"""StepGRPO rewards (StepRAR + StepRVR) for Python trainers, from a running `stepgrpo serve`.

Standard library only (urllib + json + asyncio), so it drops into any training image. This file
is the HTTP client; the engine entry points sit next to it and import it:

* ``openrlhf_reward_func.py``: OpenRLHF ``--reward.remote_url <that file>`` (``reward_func``).
* ``verl_reward.py``: verl ``reward.custom_reward_function.path=<that file>``, name
  ``compute_score`` (async) or ``compute_score_sync``.
* ``trl_reward.py``: TRL ``GRPOTrainer(reward_funcs=[stepgrpo_reward])`` (async).

Environment: ``STEPGRPO_REWARD_URL`` (default http://127.0.0.1:8008), ``STEPGRPO_REWARD_TOKEN``
(bearer token, needed when the server is not on loopback), ``STEPGRPO_REWARD_TIMEOUT`` (seconds,
default 60), ``STEPGRPO_REWARD_PRESET`` (a preset for every request; default: the server's),
``STEPGRPO_REWARD_END_MARKERS`` (comma-separated end-of-sequence / padding texts the server cuts
from each completion before scoring; default: the server's list, `stepgrpo serve --end-markers`).
Completions are sent as the engine gives them: cutting end markers is the server's job, so every
engine is treated alike and the recorded run keeps what was cut.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
import urllib.error
import urllib.request
import uuid
from typing import Any, Dict, List, Mapping, Optional, Sequence

DEFAULT_URL = "http://127.0.0.1:8008"

__all__ = ["RewardClient", "RewardServerError", "default_client", "components"]


class RewardServerError(RuntimeError):
    """The server refused a request: the status and, for bad input, the field at fault, in the message."""

    def __init__(self, status: int, message: str, field: Optional[str] = None, index: Optional[int] = None):
        where = f" (field {field})" if field else ""
        super().__init__(f"StepGRPO reward server: HTTP {status}{where}: {message}" if status else f"StepGRPO reward server: {message}")
        self.status = status
        self.field = field
        self.index = index


class RewardClient:
    """A small JSON-over-HTTP client. Retries connection failures, 429 and 5xx replies, never other 4xx.

    Every POST carries one X-Request-Id for all its attempts: the server answers a retry of a request
    it already scored with the same reply and records its chains once."""

    def __init__(
        self,
        url: Optional[str] = None,
        timeout: Optional[float] = None,
        retries: int = 3,
        preset: Optional[str] = None,
        token: Optional[str] = None,
        end_markers: Optional[Sequence[str]] = None,
    ):
        self.url = (url or os.environ.get("STEPGRPO_REWARD_URL") or DEFAULT_URL).rstrip("/")
        self.timeout = float(timeout if timeout is not None else os.environ.get("STEPGRPO_REWARD_TIMEOUT", "60"))
        self.retries = retries
        self.preset = preset if preset is not None else (os.environ.get("STEPGRPO_REWARD_PRESET") or None)
        self.token = token if token is not None else (os.environ.get("STEPGRPO_REWARD_TOKEN") or None)
        markers = os.environ.get("STEPGRPO_REWARD_END_MARKERS")
        self.end_markers = list(end_markers) if end_markers is not None else (None if markers is None else [m.strip() for m in markers.split(",") if m.strip()])

    def request(self, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode("utf-8")
        request_id = None if data is None else uuid.uuid4().hex
        last: Optional[BaseException] = None
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(min(0.25 * 2 ** (attempt - 1), 2.0))
            request = urllib.request.Request(self.url + path, data=data, method="GET" if data is None else "POST")
            request.add_header("Content-Type", "application/json")
            if request_id:
                request.add_header("X-Request-Id", request_id)
            if self.token:
                request.add_header("Authorization", f"Bearer {self.token}")
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as reply:
                    return json.loads(reply.read().decode("utf-8"))
            except urllib.error.HTTPError as err:
                error = _error_of(err)
                if err.code < 500 and err.code != 429:
                    raise error from None
                last = error
            except (urllib.error.URLError, ConnectionError, TimeoutError) as err:
                last = err
        raise RewardServerError(0, f"no reply from {self.url}{path} after {self.retries + 1} attempts ({last}); is `stepgrpo serve` running?")

    async def arequest(self, path: str, body: Any = None) -> Any:
        """`request` in a worker thread, so that async trainers score many samples at once."""
        return await asyncio.to_thread(self.request, path, body)

    def health(self) -> Dict[str, Any]:
        return self.request("/health")

    def item(self, completion: str, **fields: Any) -> Dict[str, Any]:
        """A /score body: the chain, its reference (answer, solution, key_steps), where it belongs
        in a recorded run (prompt, step, group, tokens), and the client's preset and end markers."""
        item = {k: v for k, v in {"completion": completion, **fields}.items() if v is not None}
        if self.preset and "preset" not in item and "config" not in item:
            item["preset"] = self.preset
        if self.end_markers is not None and "end_markers" not in item:
            item["end_markers"] = self.end_markers
        return item

    def score(self, completion: str, **fields: Any) -> Dict[str, Any]:
        """The RewardBreakdown of one chain."""
        return self.request("/score", self.item(completion, **fields))["rewards"]

    async def ascore(self, completion: str, **fields: Any) -> Dict[str, Any]:
        return (await self.arequest("/score", self.item(completion, **fields)))["rewards"]

    def score_batch(self, items: Sequence[Mapping[str, Any]], step: Optional[int] = None) -> List[Dict[str, Any]]:
        """One RewardBreakdown per item (built with `item`), in order; raises on the first item the server rejected."""
        return _results(self.request("/score_batch", _batch(items, step)))

    async def ascore_batch(self, items: Sequence[Mapping[str, Any]], step: Optional[int] = None) -> List[Dict[str, Any]]:
        return _results(await self.arequest("/score_batch", _batch(items, step)))


def _batch(items: Sequence[Mapping[str, Any]], step: Optional[int]) -> Dict[str, Any]:
    body: Dict[str, Any] = {"items": [dict(item) for item in items]}
    if step is not None:
        body["step"] = step
    return body


def _results(reply: Mapping[str, Any]) -> List[Dict[str, Any]]:
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


_client: Optional[RewardClient] = None


def default_client() -> RewardClient:
    """One client per process, configured from the environment on first use."""
    global _client
    if _client is None:
        _client = RewardClient()
    return _client


def components(r: Mapping[str, Any]) -> Dict[str, float]:
    """The reward components under the names the engine entry points report."""
    return {
        "step_rar": float(r["r_acc"]),
        "step_rvr": float(r["r_val"]),
        "acc": 1.0 if r["answer_correct"] else 0.0,
        "key_step_ratio": float(r["key_step_ratio"]),
    }
