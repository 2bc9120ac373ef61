"""Handlers across ``fork()``: every child gets its own engine handle.

The engine takes its own lock in a child by itself; what a child lacks is
the parent's background thread (threads do not survive ``fork``). So after
a fork every live handler is given a handle of the child's own, with a
thread of its own in background mode (gunicorn ``--preload``, Celery and
``multiprocessing`` workers).

``multiprocessing`` ends a forked child with ``os._exit``, which runs no
``atexit`` handler, so ``logging.shutdown`` never runs there: each handler
is closed (its queue written, its compressions waited for) by one of
``multiprocessing``'s own exit finalizers instead.
"""

import os
import sys
import weakref

_live = weakref.WeakSet()


def track(handler):
    """Follow ``handler`` into children made by ``fork()``."""
    _live.add(handler)


def _close_at_child_exit(ref):
    handler = ref()
    if handler is not None:
        handler.close()


def _register_exit_finalizer(handler):
    # Run in the child by multiprocessing, after it cleared the finalizers
    # it inherited and before the child's target runs.
    util = sys.modules["multiprocessing.util"]
    util.Finalize(None, _close_at_child_exit, args=(weakref.ref(handler),), exitpriority=-100)


def _before_fork():
    util = sys.modules.get("multiprocessing.util")
    if util is None:
        return
    for handler in list(_live):
        if not handler._finalized_in_children:
            handler._finalized_in_children = True
            util.register_after_fork(handler, _register_exit_finalizer)


def _after_fork_in_child():
    for handler in list(_live):
        handler._after_fork_in_child()


os.register_at_fork(before=_before_fork, after_in_child=_after_fork_in_child)
