"""The FIFO gate: capacity respected, waiters admitted strictly in arrival order."""

from __future__ import annotations

import asyncio

import pytest

from mock_aimharder.server.gate import FifoGate


async def _run(gate: FifoGate, count: int, log: list[str]) -> None:
    release = asyncio.Event()

    async def holder(n: int) -> None:
        async with gate.slot():
            log.append(f"in {n}")
            await release.wait()
            log.append(f"out {n}")

    tasks = [asyncio.create_task(holder(n)) for n in range(count)]
    await asyncio.sleep(0)  # let every task reach the gate, in creation order
    release.set()
    await asyncio.gather(*tasks)


async def test_capacity_1_admits_one_at_a_time_in_arrival_order() -> None:
    log: list[str] = []
    await _run(FifoGate(1), 4, log)
    assert log == ["in 0", "out 0", "in 1", "out 1", "in 2", "out 2", "in 3", "out 3"]


async def test_capacity_2_holds_two_at_once() -> None:
    log: list[str] = []
    await _run(FifoGate(2), 3, log)
    assert log[:2] == ["in 0", "in 1"]
    assert log.index("in 2") > log.index("out 0")


async def test_no_capacity_admits_everybody_at_once() -> None:
    log: list[str] = []
    await _run(FifoGate(None), 3, log)
    assert log[:3] == ["in 0", "in 1", "in 2"]


async def test_a_newcomer_cannot_overtake_queued_waiters() -> None:
    gate = FifoGate(1)
    order: list[str] = []
    await gate.acquire()
    waiter = asyncio.create_task(gate.acquire())
    await asyncio.sleep(0)
    gate.release()  # the slot goes to the waiter, not to whoever asks next
    newcomer = asyncio.create_task(gate.acquire())
    waiter.add_done_callback(lambda _: order.append("waiter"))
    newcomer.add_done_callback(lambda _: order.append("newcomer"))
    await waiter
    await asyncio.sleep(0)
    assert (order, gate.holders, gate.queued) == (["waiter"], 1, 1)
    gate.release()
    await newcomer
    assert order == ["waiter", "newcomer"]


async def test_a_cancelled_waiter_leaves_the_queue_and_frees_nothing_it_never_had() -> None:
    gate = FifoGate(1)
    await gate.acquire()
    waiter = asyncio.create_task(gate.acquire())
    await asyncio.sleep(0)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    assert (gate.holders, gate.queued) == (1, 0)
    gate.release()
    assert gate.holders == 0


def test_capacity_below_1_is_refused() -> None:
    with pytest.raises(ValueError, match="expected an int >= 1 or None"):
        FifoGate(0)
