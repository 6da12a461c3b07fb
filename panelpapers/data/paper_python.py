"""A paper's own Python, `data/tables.py`, run only where the house allows it (`paper_python: allowed`
in panelpapers.yaml, and not refused on the command line or by PANELPAPERS_PAPER_PYTHON=refuse), and
then in a child process of its own with a time limit: a loop that never ends, a computation that
takes hours, or a `sys.exit()` ends in a message at the file, never in a hang or a build that stops
with status 0. The child is killed when the limit passes or the build stops, and it exits by itself
if the process that started it dies. See docs/data.md."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NoReturn

from panelpapers.errors import Location, Problem
from panelpapers.house import House

FUNCTIONS_FILE = "data/tables.py"
STARTING_SECONDS = 120  # starting the child and importing pandas, before the limit's clock starts


class PaperPythonFailed(Exception):
    """The paper's Python was not allowed, failed, or ran out of time: one problem at the file."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def refusal(path: Path, house: House) -> Problem | None:
    """Why the paper's Python may not run here, if it may not."""
    if house.paper_python == "allowed":
        return None
    where = Location(path, 1)
    if house.paper_python == "refused here":
        return Problem(
            where,
            "this paper's Python would run during the build, and this build refuses it (--no-paper-python or "
            "PANELPAPERS_PAPER_PYTHON=refuse, as for a pull request from a fork); build it where it is trusted",
        )
    return Problem(
        where,
        "this paper's Python would run during the build, and panelpapers.yaml does not allow it; add "
        '"paper_python: allowed" to panelpapers.yaml if you trust everyone who can change content',
    )


class PaperPython:
    """The functions of one paper's data/tables.py, each call run in the child process. All of the
    paper's Python (the file run, then every function called) shares one limit of `seconds`."""

    def __init__(self, path: Path, seconds: int) -> None:
        import multiprocessing

        self.path, self.seconds = path, seconds
        # spawn: a fresh interpreter, whatever threads or pools the process starting it has.
        context = multiprocessing.get_context("spawn")
        self.requests, theirs = context.Pipe()
        alive, self.alive = context.Pipe(duplex=False)
        self.process = context.Process(
            target=serve, args=(str(path), theirs, alive), name="panelpapers-paper-python", daemon=False
        )
        with ctrl_c_ignored():  # from its first instant: Ctrl-C is the build's to handle, and it kills the child
            self.process.start()
        theirs.close()
        alive.close()
        self.deadline = time.monotonic() + STARTING_SECONDS
        self.answer()  # ("started",): pandas is imported, the limit starts now
        self.deadline = time.monotonic() + seconds
        self.names: list[str] = self.answer()[1]

    @property
    def functions(self) -> dict[str, Callable[..., Any]]:
        return {name: self.caller(name) for name in self.names}

    def caller(self, name: str) -> Callable[..., Any]:
        def call(frames: Any) -> Any:
            self.requests.send((name, frames))
            return self.answer()[1]

        return call

    def answer(self) -> tuple[Any, ...]:
        remaining = self.deadline - time.monotonic()
        try:
            ready = self.requests.poll(max(0.0, remaining))
            message: tuple[Any, ...] = self.requests.recv() if ready else ()
        except (EOFError, OSError):
            self.process.join(1)
            code = self.process.exitcode
            self.fail(None, f"stopped without an answer (exit status {code}); it must not end its own process")
        if not message:
            self.close()
            self.fail(
                None,
                f"still running after {self.seconds} s; panelpapers stopped it. Make it quicker, or raise "
                f"paper_python_seconds in panelpapers.yaml (now {self.seconds})",
            )
        if message[0] == "failed":
            self.fail(message[2], message[1])
        return message

    def fail(self, line: int | None, message: str) -> NoReturn:
        raise PaperPythonFailed(Problem(Location(self.path, line), message))

    def close(self) -> None:
        self.alive.close()  # the child's watch thread ends it, whatever it is running
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.requests.close()

    def __enter__(self) -> PaperPython:
        return self

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        self.close()


@contextlib.contextmanager
def ctrl_c_ignored() -> Iterator[None]:
    """SIGINT ignored while a child process starts, so that the child ignores it from its first
    instant (an ignored signal stays ignored across exec, and Python keeps it so), rather than from
    whenever its own code gets round to it. Only the main thread may change signal handlers."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@contextlib.contextmanager
def ctrl_c_deferred() -> Iterator[None]:
    """Ctrl-C held while the block runs and raised when it ends, for a step that must finish whole
    (starting a process and recording it). Only the main thread receives signals."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda number, frame: received.append(number))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if received:
        raise KeyboardInterrupt


# ---- in the child process -----------------------------------------------------------------------


def serve(path: str, requests: Any, alive: Any) -> None:
    """Runs the file, then answers each call: ("started",), ("loaded", names), ("result", frame), or
    ("failed", message, line in the file or None)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the build's to handle: it kills this process
    threading.Thread(target=exit_with_parent, args=(alive,), daemon=True).start()
    sys.stdout = sys.stderr  # the build's stdout holds only its summary line
    sys.dont_write_bytecode = True  # no __pycache__ in the content folder
    import pandas as pd

    requests.send(("started",))
    try:
        functions = run_file(path)
    except BaseException as err:
        requests.send(("failed", f"cannot run {FUNCTIONS_FILE}: {described(err)}", line_in(err, path)))
        return
    requests.send(("loaded", sorted(functions)))
    while True:
        try:
            name, frames = requests.recv()
        except EOFError:
            return
        function = functions[name]
        try:
            result = function(frames)
        except BaseException as err:
            requests.send(("failed", f"function '{name}' {described(err, raised=True)}", line_in(err, path)))
            continue
        if not isinstance(result, pd.DataFrame):
            line = getattr(getattr(function, "__code__", None), "co_firstlineno", None)
            message = f"function '{name}' returned {type(result).__name__}, expected a DataFrame"
            requests.send(("failed", message, line))
            continue
        requests.send(("result", result))


def run_file(path: str) -> dict[str, Callable[..., Any]]:
    import runpy

    # The author's own code, allowed by the house, in this process of its own.
    namespace = runpy.run_path(path, run_name="panelpapers_paper_functions")
    return {k: v for k, v in namespace.items() if callable(v) and not k.startswith("_") and not isinstance(v, type)}


def described(err: BaseException, raised: bool = False) -> str:
    if isinstance(err, SystemExit):
        return f"called sys.exit({err.code!r}); a paper's Python must not end the build"
    return f"{'raised ' if raised else ''}{type(err).__name__}: {err}"


def line_in(err: BaseException, path: str) -> int | None:
    """The line of `path` the error was raised at (the innermost frame in that file)."""
    line = None
    for frame, number in traceback.walk_tb(err.__traceback__):
        if frame.f_code.co_filename == path:  # runpy compiles it under this very name
            line = number
    if line is None and isinstance(err, SyntaxError) and err.filename == path:
        line = err.lineno
    return line


def exit_with_parent(alive: Any) -> None:
    """Ends this process when the build closes its end of `alive`, or dies."""
    with contextlib.suppress(EOFError, OSError):
        alive.recv()
    os._exit(1)
