"""Starting an encoder once: callers that ask while it starts share that start, its result and its failure."""
from __future__ import annotations

import asyncio


from commandcenter.sim.start_once import StartOnce


def test_callers_asking_while_it_starts_share_one_start() -> None:
    starts: list[str] = []

    async def go() -> list[str]:
        once: StartOnce[str] = StartOnce()
        gate = asyncio.Event()

        async def start() -> str:
            starts.append("started")
            await gate.wait()
            return "encoder-1"

        callers = [asyncio.ensure_future(once.get("CAM001", lambda: None, start)) for _ in range(3)]
        await asyncio.sleep(0)
        gate.set()
        return list(await asyncio.gather(*callers))

    assert asyncio.run(go()) == ["encoder-1"] * 3
    assert starts == ["started"]


def test_a_running_thing_is_returned_without_a_start() -> None:
    async def start() -> str:
        raise AssertionError("must not start what is running")

    async def go() -> str:
        return await StartOnce[str]().get("CAM001", lambda: "running", start)

    assert asyncio.run(go()) == "running"


def test_a_failed_start_fails_every_waiter_and_the_next_call_starts_again() -> None:
    attempts: list[int] = []

    async def go() -> tuple[list[BaseException | str], str]:
        once: StartOnce[str] = StartOnce()
        gate = asyncio.Event()

        async def failing() -> str:
            attempts.append(1)
            await gate.wait()
            raise RuntimeError("ffmpeg ended with 1")

        async def working() -> str:
            attempts.append(2)
            return "encoder-2"

        callers = [asyncio.ensure_future(once.get("CAM001", lambda: None, failing)) for _ in range(2)]
        await asyncio.sleep(0)
        gate.set()
        results = await asyncio.gather(*callers, return_exceptions=True)
        return list(results), await once.get("CAM001", lambda: None, working)

    results, retried = asyncio.run(go())
    assert [str(r) for r in results] == ["ffmpeg ended with 1"] * 2
    assert all(isinstance(r, RuntimeError) for r in results)
    assert retried == "encoder-2"
    assert attempts == [1, 2]


def test_keys_start_independently() -> None:
    async def go() -> list[str]:
        once: StartOnce[str] = StartOnce()

        async def start_for(key: str) -> str:
            await asyncio.sleep(0)
            return f"encoder of {key}"

        return list(await asyncio.gather(*(once.get(k, lambda: None, lambda k=k: start_for(k))
                                           for k in ("CAM001", "CAM002"))))

    assert asyncio.run(go()) == ["encoder of CAM001", "encoder of CAM002"]

