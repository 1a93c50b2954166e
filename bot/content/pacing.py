"""Letting the event loop take the GIL while a worker thread loads content.

Reading a section file releases the GIL four times (open, fstat, read, close), each for a
few microseconds. That starves the event loop rather than helping it: the loop thread waits
for the GIL with a 5 ms timeout and asks the holder to drop it only if no switch happened
meanwhile, but every one of these short releases counts as a switch and restarts its wait,
and the worker, already on a CPU, takes the GIL back before the woken loop thread can.
Sleeping a fraction of a millisecond every few milliseconds leaves the GIL free long enough
for the waiting thread to take it, for about 2 % of the load's time.
"""

from __future__ import annotations

import threading
import time

EVERY_S = 0.008
PAUSE_S = 0.0002


class Pacer:
    """Call once per unit of work; every EVERY_S it pauses PAUSE_S (not on the main thread)."""

    __slots__ = ("_active", "_next")

    def __init__(self) -> None:
        # On the main thread (the CLI, a blocking start-up load) nobody is waiting to run.
        self._active = threading.current_thread() is not threading.main_thread()
        self._next = time.perf_counter() + EVERY_S

    def __call__(self) -> None:
        if self._active:
            now = time.perf_counter()
            if now >= self._next:
                time.sleep(PAUSE_S)
                self._next = time.perf_counter() + EVERY_S
