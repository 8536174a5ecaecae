"""bot/runtime/memory.py: what a big command freed goes back to the system."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# In a process of its own: 60 MB of 2 KB blocks (glibc's heap, not Python's own arenas),
# freed but the last, then the resident size before and after give_back().
PROBE = """
import sys
from bot.runtime.memory import give_back

def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024

blocks = [bytes(2048) for _ in range(30_000)]
keep = blocks[-1]
del blocks
before = rss_mb()
give_back()
print(before, rss_mb())
"""


def test_give_back_returns_the_freed_heap() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, check=True
    )
    before, after = map(float, done.stdout.split())
    assert before - after > 30, (before, after)  # most of the 60 MB freed
