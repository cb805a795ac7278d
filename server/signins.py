"""Sign-ins run their argon2 check on two threads of their own: never on the event loop, and a burst of sign-ins
queues there instead of taking every worker thread (and every core) from the rest of the hub."""
from __future__ import annotations

import asyncio
import functools
from concurrent.futures import ThreadPoolExecutor

SIGN_IN_THREADS = 2  # argon2 uses 64 MiB and one core per check: more at once only thrashes a small hub
_pool = ThreadPoolExecutor(SIGN_IN_THREADS, thread_name_prefix="sign-in")


async def run(fn, *args, **kwargs):
    """`fn(*args, **kwargs)` (a `Hub` sign-in) on the sign-in threads."""
    return await asyncio.get_running_loop().run_in_executor(_pool, functools.partial(fn, *args, **kwargs))
