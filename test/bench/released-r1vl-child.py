# The released R1-VL reward functions (validity_reward, accuracy_reward with its key-step term),
# loaded from grpo.py at R1VL_GIT_DIR's HEAD without its training imports, timed over a corpus
# for the side-by-side reward bench (test/bench/reward-long.ts). Protocol: argv[1] is a JSONL
# corpus ({text, solution, keySteps}); each "pass" line on stdin scores every chain once and
# prints {"wall_s", "cpu_s", "rewards"}; a blank line or EOF ends it.
import ast
import json
import os
import re
import subprocess
import sys
import time
from datetime import datetime

from math_verify import parse, verify

WANTED = {"check_reasoning_completeness", "check_reasoning_logic", "validity_reward", "key_step_single", "accuracy_reward"}


def load_released():
    source = subprocess.run(
        ["git", "--git-dir", os.environ["R1VL_GIT_DIR"], "show", "HEAD:src/r1-vl/src/open_r1/grpo.py"],
        check=True, capture_output=True, text=True,
    ).stdout
    tree = ast.parse(source)
    tree.body = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name in WANTED]
    scope = {"re": re, "os": os, "datetime": datetime, "parse": parse, "verify": verify}
    exec(compile(tree, "grpo.py", "exec"), scope)
    missing = WANTED - scope.keys()
    if missing:
        sys.exit(f"grpo.py: missing {sorted(missing)}")
    return scope


def main():
    released = load_released()
    validity, accuracy = released["validity_reward"], released["accuracy_reward"]
    with open(sys.argv[1], encoding="utf-8") as f:
        corpus = [json.loads(line) for line in f if line.strip()]

    def score(item):
        completion = [[{"content": item["text"]}]]
        try:
            # the released code raises on some invalid chains (max() of no step header)
            val = validity(completion)[0]
        except ValueError:
            val = 0.0
        return val + accuracy(completion, [item["solution"]], [{"Steps": item["keySteps"]}])[0]

    for line in sys.stdin:
        if not line.strip():
            break
        w0, c0 = time.perf_counter(), time.process_time()
        rewards = [score(item) for item in corpus]
        print(json.dumps({"wall_s": time.perf_counter() - w0, "cpu_s": time.process_time() - c0, "rewards": rewards}), flush=True)


main()
