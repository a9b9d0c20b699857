"""For tests that interrupt an `olke` process: its Ctrl-C must not depend on the test process's own
signal state, which a child inherits (an ignored or blocked SIGINT stays so across exec)."""
from __future__ import annotations

import signal


def interruptible() -> None:
    """A `preexec_fn`: SIGINT handled by default and not blocked in the child."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
