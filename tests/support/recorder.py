"""A headless recorder for the kill -9 test: the real IngestPipeline (SSE feed → store), no Qt, until killed."""
import asyncio
import sys


async def main(url: str, store_url: str) -> None:
    from commandcenter.config import config_from_dict
    from commandcenter.services import IngestPipeline
    from commandcenter.store import Store

    config = config_from_dict({"feeds": [{"name": "city", "kind": "native", "url": url, "mode": "sse",
                                          "interval": 0.5, "timeout": 1.0}]})
    store = Store.open(store_url)
    pipeline = IngestPipeline(config, store)
    await pipeline.start()
    for feed in pipeline.feeds:
        feed.backoff_base = feed._backoff.base = 0.02
    print("started", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
