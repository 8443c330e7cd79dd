"""Model work runs off the event loop behind a bounded queue: while the workers are busy the
service still answers, and a request past the queue gets 503 with Retry-After."""

from __future__ import annotations

import asyncio
import threading

import pytest

from shiftmsa.serve.problems import RequestProblem
from shiftmsa.serve.work import WorkQueue


def test_the_queue_admits_workers_plus_queue_and_refuses_the_next():
    async def scenario():
        work = WorkQueue(workers=1, queue=1)
        release = threading.Event()
        running = [asyncio.create_task(work.run(release.wait, 10)) for _ in range(2)]
        await asyncio.sleep(0.05)
        assert work.state()["admitted"] == 2
        with pytest.raises(RequestProblem) as refused:
            await work.run(lambda: None)
        assert refused.value.status == 503 and int(refused.value.headers["Retry-After"]) >= 1
        release.set()
        assert await asyncio.gather(*running) == [True, True]
        assert await work.run(lambda: "served again") == "served again"
        assert work.state() == {"workers": 1, "capacity": 2, "admitted": 0, "completed": 3, "refused": 1}
        work.close()

    asyncio.run(scenario())


def test_a_request_counts_until_its_work_ends_even_when_its_client_has_gone():
    async def scenario():
        work = WorkQueue(workers=1, queue=0)
        release = threading.Event()
        abandoned = asyncio.create_task(work.run(release.wait, 10))
        await asyncio.sleep(0.05)
        abandoned.cancel()
        await asyncio.sleep(0.05)
        with pytest.raises(RequestProblem):  # the worker is still on it
            await work.run(lambda: None)
        release.set()
        for _ in range(100):
            if work.admitted == 0:
                break
            await asyncio.sleep(0.01)
        assert await work.run(lambda: 1) == 1
        work.close()

    asyncio.run(scenario())


def test_a_busy_model_leaves_the_service_answering(scorer_of, text_checkpoint):
    import httpx

    from shiftmsa.serve.app import create_app
    from shiftmsa.serve.settings import ServeSettings

    scorer = scorer_of(text_checkpoint)
    started, release = threading.Event(), threading.Event()

    class Held:  # the served model, held inside predict until released
        def __getattr__(self, name):
            return getattr(scorer, name)

        def predict(self, utterances):
            started.set()
            release.wait(10)
            return scorer.predict(utterances)

    app = create_app(Held(), ServeSettings(workers=1, queue=0))

    async def scenario():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
            first = asyncio.create_task(client.post("/predict", json=[{"text": "held"}]))
            while not started.is_set():
                await asyncio.sleep(0.01)
            health = await client.get("/health")
            busy = await client.post("/predict", json=[{"text": "one too many"}])
            release.set()
            return health, busy, await first

    health, busy, first = asyncio.run(scenario())
    assert health.status_code == 200 and health.json()["queue"]["admitted"] == 1
    assert busy.status_code == 503 and int(busy.headers["retry-after"]) >= 1 and "busy" in busy.json()["error"]
    assert first.status_code == 200 and first.json()[0]["id"] == "utterance1"
