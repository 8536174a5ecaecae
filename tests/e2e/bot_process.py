"""Run ``python -m bot`` as a subprocess against a FakeBotApi.

    async with FakeBotApi() as api, BotProcess({**api.env(), "DATABASE_PATH": str(db)}) as bot:
        await bot.wait_ready(api)
        [reply] = await api.ask(ADMIN, "/start")

The child gets a copy of ``os.environ`` without the bot's own settings (so a developer's
BOT_TOKEN or ADMIN_IDS cannot leak in), DATABASE_PATH in the log folder, then the ``env`` given.
With ``file_modes_bind=True`` file modes bind the child even when the tests run as root.
It runs in the repo root by default, where pydantic-settings also reads ``.env``: pass
``cwd=tmp_path`` (the repo root is put on PYTHONPATH) to keep a local ``.env`` out of a test.
"""

# `timeout=` parameters are the test-facing API (ASYNC109).
# ruff: noqa: ASYNC109

from __future__ import annotations

import asyncio
import ctypes
import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO

from bot.runtime.settings import SETTING_NAMES
from tests.e2e.fake_bot_api import FakeBotApi

REPO_ROOT = Path(__file__).resolve().parents[2]

# Settings of the bot (PRODUCT.md, "Running it"): never inherited from the test runner's env.
BOT_SETTINGS = SETTING_NAMES


_PR_CAPBSET_DROP = 24
_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH = 1, 2


def _without_root_file_powers() -> None:
    """In the child before exec: as root, drop the capabilities that let root read and write
    any file whatever its mode, so a chmod'ed file or folder binds the bot as it binds a
    service user (the tests and CI run as root). Not root: the modes bind already."""
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH):
        if libc.prctl(_PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


class BotProcess:
    """``sys.executable -m bot [args]`` with output captured to a log file."""

    def __init__(
        self,
        env: Mapping[str, str] | None = None,
        *,
        args: Sequence[str] = (),
        cwd: Path | str | None = None,
        log_dir: Path | str | None = None,
        file_modes_bind: bool = False,
    ) -> None:
        self.env = dict(env or {})
        self.file_modes_bind = file_modes_bind
        self.args = list(args)
        self.cwd = Path(cwd) if cwd is not None else REPO_ROOT
        directory = Path(log_dir) if log_dir is not None else Path(tempfile.mkdtemp(prefix="bot-"))
        self.log_path = directory / "bot-output.log"
        self.process: asyncio.subprocess.Process | None = None
        self._log: IO[bytes] | None = None

    def _child_env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in BOT_SETTINGS}
        env["PYTHONUNBUFFERED"] = "1"
        pythonpath = [str(REPO_ROOT)]
        if env.get("PYTHONPATH"):
            pythonpath.append(env["PYTHONPATH"])
        env["PYTHONPATH"] = os.pathsep.join(pythonpath)
        # Never let a test write the developer's database (data/takedown.db in the repo).
        env["DATABASE_PATH"] = str(self.log_path.parent / "takedown.db")
        env.update(self.env)
        return env

    async def start(self) -> None:
        if self.process is not None:
            raise RuntimeError("BotProcess already started")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("wb")
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            *self.args,
            cwd=self.cwd,
            env=self._child_env(),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=self._log,
            stderr=asyncio.subprocess.STDOUT,
            preexec_fn=_without_root_file_powers if self.file_modes_bind else None,
        )

    @property
    def returncode(self) -> int | None:
        return None if self.process is None else self.process.returncode

    def output(self) -> str:
        """Everything the bot wrote to stdout and stderr so far."""
        if self._log is not None and not self._log.closed:
            self._log.flush()
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def output_tail(self, lines: int = 60) -> str:
        tail = "\n".join(self.output().splitlines()[-lines:])
        return f"--- bot output (last {lines} lines, returncode={self.returncode}) ---\n{tail}"

    async def wait_ready(self, api: FakeBotApi, timeout: float = 20.0) -> None:
        """Wait until the bot registered its commands (setMyCommands) and polls (getUpdates).

        Also makes the fake API's timeout dumps include the bot's output.
        """
        api.extra_dump = self.output_tail
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            names = {name for name, _ in api.calls}
            if "setMyCommands" in names and "getUpdates" in names:
                return
            if self.process is None or self.process.returncode is not None:
                raise AssertionError(f"the bot exited before it was ready\n{self.output_tail()}")
            if loop.time() > deadline:
                raise AssertionError(
                    f"the bot was not ready after {timeout}s (calls: {sorted(names)})\n"
                    f"{self.output_tail()}"
                )
            await asyncio.sleep(0.05)

    async def stop(self, timeout: float = 10.0) -> int | None:
        """SIGTERM, wait up to ``timeout`` seconds, then SIGKILL. Returns the exit code."""
        process = self.process
        try:
            if process is not None and process.returncode is None:
                process.send_signal(signal.SIGTERM)
                try:
                    await asyncio.wait_for(process.wait(), timeout)
                except TimeoutError:
                    process.kill()
                    await process.wait()
        finally:
            if self._log is not None:
                self._log.close()
        return None if process is None else process.returncode

    async def run_to_exit(self, timeout: float = 20.0) -> tuple[int, str]:
        """Start the bot and wait for it to exit by itself (start-up failures)."""
        if self.process is None:
            await self.start()
        assert self.process is not None
        try:
            returncode = await asyncio.wait_for(self.process.wait(), timeout)
        except TimeoutError:
            await self.stop(timeout=2.0)
            raise AssertionError(
                f"the bot did not exit within {timeout}s\n{self.output_tail()}"
            ) from None
        if self._log is not None:
            self._log.close()
        return returncode, self.output()

    async def __aenter__(self) -> BotProcess:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()


def start_up(env: Mapping[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """`python -m bot` with only PATH and `env` in its environment, run until it exits (the
    start-up refusals: a bad setting, a renamed one); what it printed."""
    return subprocess.run(
        [sys.executable, "-m", "bot"],
        cwd=cwd,
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
