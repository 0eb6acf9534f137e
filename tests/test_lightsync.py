"""The per-socket Flag and Inbox behave as the asyncio.Event and asyncio.Queue they replace,
for what uvicorn's protocol and the Connection use of them."""

from __future__ import annotations

import asyncio

from chinwag.lightsync import Flag, Inbox


async def test_a_flag_wakes_every_waiter_and_stays_set_until_cleared():
    flag = Flag()
    waiters = [asyncio.ensure_future(flag.wait()) for _ in range(3)]
    await asyncio.sleep(0)
    assert not any(w.done() for w in waiters)
    flag.set()
    assert await asyncio.gather(*waiters) == [True, True, True]
    assert await flag.wait() and flag.is_set()
    flag.clear()
    assert not flag.is_set()
    assert Flag(True).is_set()


async def test_a_cancelled_wait_is_forgotten():
    flag = Flag()
    waiter = asyncio.ensure_future(flag.wait())
    await asyncio.sleep(0)
    waiter.cancel()
    await asyncio.gather(waiter, return_exceptions=True)
    assert flag._waiters == []
    flag.set()  # nothing left to wake, nothing raised


async def test_an_inbox_hands_items_in_order_to_a_waiting_getter():
    inbox = Inbox()
    getter = asyncio.ensure_future(inbox.get())
    await asyncio.sleep(0)
    inbox.put_nowait("first")
    inbox.put_nowait("second")
    assert inbox.qsize() == 2
    assert await getter == "first"
    assert not inbox.empty()
    assert await inbox.get() == "second"
    assert inbox.empty()


async def test_a_get_cancelled_after_its_wake_up_loses_no_item():
    inbox = Inbox()
    getter = asyncio.ensure_future(inbox.get())
    await asyncio.sleep(0)
    inbox.put_nowait("kept")
    getter.cancel()  # woken, but cancelled before it ran
    await asyncio.gather(getter, return_exceptions=True)
    assert await inbox.get() == "kept"
