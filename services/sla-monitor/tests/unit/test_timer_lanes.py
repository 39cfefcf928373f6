"""The timer's catch-up: one batch per tick while on time, CATCH_UP_LANES batches at once once a batch
came back full, back to one when the backlog is gone; a failing batch fails the tick as itself. The
bus is a stand-in that answers each batch with the due times of the tickets it fired (no I/O)."""

from datetime import UTC, datetime

import pytest
from sla_monitor.entrypoints.timer import BATCH, CATCH_UP_LANES, DueTimer

DUE = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


class Batches:
    """Answers the n-th batch with the n-th answer: a number of tickets fired, or an error."""

    def __init__(self, *answers: int | Exception) -> None:
        self.answers = list(answers)
        self.asked = 0

    async def handle(self, command, *, metadata):
        assert command.limit == BATCH
        self.asked += 1
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return [DUE] * answer


async def test_a_full_batch_puts_the_next_ticks_in_lanes_until_the_backlog_is_gone():
    lanes = CATCH_UP_LANES
    assert lanes >= 2
    bus = Batches(BATCH, *[BATCH] * (lanes - 1), BATCH - 30, *[0] * lanes, 0)
    timer = DueTimer(bus, reader=None)
    assert await timer.tick() == BATCH  # on time: one batch
    assert await timer.tick() == lanes * BATCH - 30  # behind: the lanes' batches at once
    assert await timer.tick() == 0  # still behind after a full batch: lanes again, nothing left
    assert await timer.tick() == 0  # on time again: one batch
    assert bus.asked == 1 + lanes + lanes + 1 and not bus.answers


async def test_a_failing_lane_fails_the_tick_with_its_own_error():
    timer = DueTimer(Batches(BATCH, ConnectionResetError("lost"), *[0] * CATCH_UP_LANES), reader=None)
    await timer.tick()
    with pytest.raises(ConnectionResetError, match="lost"):
        await timer.tick()
