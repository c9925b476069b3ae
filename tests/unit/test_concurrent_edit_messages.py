"""What a refused concurrent edit says: who changed what, when (the time today, the date otherwise), and
what to do; the person's own change on another computer is theirs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from coderai_desktop.domain.errors import ConcurrentEditError, ConflictError

END = " after you opened it. Reload it to see the change, then make yours again."


def test_who_what_when_and_what_to_do() -> None:
    now = datetime.now(UTC)
    error = ConcurrentEditError.since_opened("changed the variable 'topic'", "ben", now, me="ana")
    assert isinstance(error, ConflictError)
    assert str(error) == f"ben changed the variable 'topic' at {now.astimezone():%H:%M}{END}"
    earlier = now - timedelta(days=3)
    dated = ConcurrentEditError.since_opened("changed the variable 'topic'", None, earlier)
    assert (
        str(dated)
        == f"Someone else changed the variable 'topic' at {earlier.astimezone():%Y-%m-%d %H:%M}{END}"
    )
    mine = ConcurrentEditError.since_opened("removed the variable 'topic'", "ana", None, me="ana")
    assert str(mine) == f"You (in another window or on another computer) removed the variable 'topic'{END}"
