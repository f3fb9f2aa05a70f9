"""Processes of a batch die with the process that started them.

A batch parent killed with SIGKILL runs no cleanup, so its forkserver and pool workers would
sleep on forever (about 240 MiB each time). On Linux each helper process asks the kernel, with
prctl(PR_SET_PDEATHSIG), for SIGKILL when its parent dies: the forkserver (whose parent is the
batch) when it imports this module as its preload, and each worker (whose parent is the
forkserver) in its initializer. Once all of them are gone, the resource tracker reads the end of
its pipe and leaves too. Elsewhere a thread polls the parent's id instead.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import threading
import time

PR_SET_PDEATHSIG = 1


def die_with_parent(expected_parent: int | None = None) -> None:
    """Be killed when the parent process dies. `expected_parent`: the parent's id as the caller
    knew it; if the parent is already another process (it died before this ran), exit now."""
    parent = expected_parent if expected_parent is not None else os.getppid()
    armed = False
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            armed = libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    if os.getppid() != parent:  # orphaned before the request took effect
        os._exit(1)
    if not armed:
        threading.Thread(target=_watch, args=(parent,), daemon=True, name="lifeline").start()


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)


# Imported as the forkserver's preload (and by nothing else that runs in the batch parent at
# import time): the forkserver dies with the batch.
if os.environ.get("WARGAME_LIFELINE_PRELOAD") == str(os.getppid()):
    die_with_parent()
