"""Template helpers: dates written the same way by the fast `when` as by the filters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from ideaboard.templating import full_date, iso, time_ago, when

moments = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31),
                       timezones=st.sampled_from([UTC, timezone(timedelta(hours=-5))]))


@given(moment=moments)
def test_when_writes_the_moment_as_iso_full_date_and_time_ago_do(moment):
    expected = (f'<time datetime="{iso(moment)}" title="{full_date(moment)}">'
                f"{time_ago(moment)}</time>")
    assert str(when(moment)) == expected
