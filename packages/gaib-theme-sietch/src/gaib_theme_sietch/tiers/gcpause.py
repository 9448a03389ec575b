"""``gc_paused``: the cyclic garbage collector held off while a whole holder list is worked on.

Ranking, eligibility and a sync plan for 100,000 holders allocate hundreds of thousands of
small objects (tuples, seats, member roles) and hold them until the result is returned. Each
allocation burst makes CPython's cyclic collector run, and its older generations walk every
live object, again and again: about a fifth of a 100,000-holder plan's time, for nothing, as
this code makes no reference cycles (reference counting frees everything it drops). Pausing it
for the length of one pure, synchronous computation is the usual remedy; it is switched back
on, and only if it was on, however the computation ends.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Hold off the cyclic garbage collector inside the ``with`` block (nesting is fine)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
