"""Every place the project still leans on a dependency's private or undocumented part, named here, one test each.

Everything else reaches its dependencies through their public APIs. When an upgrade moves one of these, its
test fails with the file that must change, instead of the wall degrading quietly at run time. Adding a seam
means adding its test here; removing one means removing its test.
"""
from __future__ import annotations

import asyncio
import platform
import socket
import sys

import pytest



def test_pyside_feature_hook_still_asks_mod_uses_pyside() -> None:
    """commandcenter/ui/pyside_import_hook.py replaces `PySide6.support.feature._mod_uses_pyside` (no public way
    to stop PySide's import hook reading every module's source into linecache)."""
    import PySide6.QtCore  # noqa: F401  (loads PySide6.support.feature)

    feature = sys.modules.get("PySide6.support.feature")
    assert feature is not None, "PySide6.support.feature is gone: revisit ui/pyside_import_hook.py"
    assert callable(getattr(feature, "_mod_uses_pyside", None)), \
        "PySide6.support.feature._mod_uses_pyside is gone: revisit ui/pyside_import_hook.py"


def test_pyqtgraph_primitive_array_of_pixmap_fragments(qapp: object) -> None:
    """commandcenter/ui/map/markers.py draws markers with `pg.Qt.internals.PrimitiveArray(PixmapFragment)`
    (a numpy-backed fragment array for QPainter.drawPixmapFragments; Qt's own API takes Python lists)."""
    import pyqtgraph as pg
    from PySide6.QtGui import QPainter

    frags = pg.Qt.internals.PrimitiveArray(QPainter.PixmapFragment, 10)
    frags.resize(3)
    assert frags.ndarray().shape == (3, 10), "PrimitiveArray changed: revisit ui/map/markers.py"
    assert len(frags.instances()) == 3


def test_websockets_connection_exposes_the_close_frame_it_sent() -> None:
    """commandcenter/feeds/native.py reads `ws.protocol.close_sent` to tell a message we refused as too big (we
    sent close 1009, the peer never answered) from a silent stream; nothing public says so before the close ends."""
    from websockets.asyncio.client import connect
    from websockets.asyncio.server import serve

    async def main() -> None:
        async def echo(ws: object) -> None:
            await asyncio.sleep(5)

        async with serve(echo, "127.0.0.1", 0) as server:
            port = server.sockets[0].getsockname()[1]
            async with connect(f"ws://127.0.0.1:{port}", close_timeout=1) as ws:
                sent = getattr(getattr(ws, "protocol", None), "close_sent", "missing")
                assert sent is None, "websockets' connection.protocol.close_sent is gone: revisit feeds/native.py"
                await ws.close(1009, "too big")
                assert ws.protocol.close_sent is not None and ws.protocol.close_sent.code == 1009

    asyncio.run(main())


def test_asyncio_stream_reader_keeps_its_buffer_in_underscore_buffer() -> None:
    """commandcenter/feeds/transport.py (AsyncioStream, "is_readable") looks at `StreamReader._buffer`: an idle
    pooled connection with bytes already read from its socket (junk from the server) must not be reused."""
    async def main() -> None:
        reader = asyncio.StreamReader()
        reader.feed_data(b"junk")
        assert getattr(reader, "_buffer", None) == b"junk", \
            "asyncio.StreamReader._buffer is gone: revisit feeds/transport.py (AsyncioStream.get_extra_info)"

    asyncio.run(main())


def test_asyncio_queue_put_and_get_finish_through_the_nowait_methods() -> None:
    """commandcenter/feeds/native.py's FrameQueue counts frames by overriding the public `put_nowait` and
    `get_nowait`: that relies on `put()` and `get()` calling them, which asyncio does not promise in writing."""
    from commandcenter.feeds.native import FrameQueue, StreamEnd
    from commandcenter.feeds.native import Frame

    async def main() -> None:
        q = FrameQueue(maxsize=4)
        await q.put([Frame(data=b"a"), Frame(data=b"b"), Frame(data=b"c")])
        assert q.qsize() == 3 and not q.full()
        await q.put([Frame(data=b"d")])
        assert q.qsize() == 4 and q.full(), "asyncio.Queue.put no longer goes through put_nowait"
        got = await q.get()
        assert len(got) == 3 and q.qsize() == 1, "asyncio.Queue.get no longer goes through get_nowait"
        q.put_nowait(StreamEnd())
        assert q.qsize() == 2

    asyncio.run(main())


def test_poll_tells_an_idle_socket_the_peer_closed() -> None:
    """commandcenter/feeds/transport.py's own `is_socket_readable` (select.poll, public) in place of httpcore's
    private helper: a socket whose peer closed reads as readable, a quiet one does not."""
    from commandcenter.feeds.transport import is_socket_readable

    a, b = socket.socketpair()
    try:
        assert not is_socket_readable(a)
        b.close()
        assert is_socket_readable(a)
    finally:
        a.close()


def _declared() -> dict[str, str]:
    import re
    import tomllib
    from pathlib import Path

    project = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())["project"]
    return {re.split(r"[\s\[<>=!~;]", spec, maxsplit=1)[0].lower().replace("_", "-"): spec
            for spec in project["dependencies"]}


def test_aiomqtt_client_keeps_its_paho_client_in_underscore_client() -> None:
    """commandcenter/feeds/mqtt.py turns on paho's manual acknowledgement through `aiomqtt.Client._client` and acks
    a message only after its batch committed (aiomqtt has no switch for it): without it the broker forgets what a
    crashed wall had received but not stored."""
    import aiomqtt

    async def main() -> None:          # aiomqtt's client is made inside a running loop
        client = aiomqtt.Client("127.0.0.1", 1)
        paho = getattr(client, "_client", None)
        assert paho is not None, "aiomqtt.Client._client is gone: revisit feeds/mqtt.py (manual ack)"
        assert callable(getattr(paho, "manual_ack_set", None)) and callable(getattr(paho, "ack", None)), \
            "paho's manual_ack_set / ack are gone: revisit feeds/mqtt.py"

    asyncio.run(main())


def test_every_runtime_dependency_is_bounded() -> None:
    """An upgrade past a bound is a decision taken with this file's tests, not an accident of `pip install`."""
    unbounded = [spec for spec in _declared().values() if "<" not in spec and "==" not in spec]
    assert not unbounded, f"dependencies without an upper bound in pyproject.toml: {unbounded}"


def test_every_distribution_the_package_imports_is_a_declared_dependency() -> None:
    """What commandcenter imports from outside the standard library is declared, so a transitive package we
    build on (httpcore under httpx, certifi, shiboken6 under PySide6) cannot vanish with its parent's release."""
    import ast
    from importlib.metadata import packages_distributions
    from pathlib import Path

    package = Path(__file__).resolve().parents[1] / "commandcenter"
    top: set[str] = set()
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                top.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                top.add(node.module.split(".")[0])
    # _typeshed is the standard library's stub package, imported only under TYPE_CHECKING
    third_party = top - set(sys.stdlib_module_names) - {"commandcenter", "__future__", "_typeshed"}
    dists = packages_distributions()
    declared = _declared()
    missing = {m: dists.get(m) for m in third_party
               if not any(d.lower().replace("_", "-") in declared for d in dists.get(m, [m]))}
    assert not missing, f"imported but not declared in pyproject.toml's dependencies: {missing}"


@pytest.mark.skipif(sys.platform != "linux" or platform.machine() != "x86_64",
                    reason="ui/video_convert.py calls Qt directly on x86-64 Linux only")
def test_qt_conversion_functions_callable_beside_pyside(qapp: object) -> None:
    """commandcenter/ui/video_convert.py calls `QVideoFrame::toImage()`, `QImage::scaled(...)` and `~QImage()` by
    their Itanium-mangled names in the Qt libraries PySide6 ships (PySide6/Qt/lib), with a QImage returned into a
    64-byte buffer: an upgrade that moves the libraries, renames a symbol or grows QImage must fail here."""
    from PySide6.QtCore import QSize
    from PySide6.QtGui import QImage

    from commandcenter.ui import video_convert

    calls = video_convert._qt_calls()
    assert calls is not None, "Qt's libraries or symbols are not where ui/video_convert.py looks for them"
    image = QImage(8, 8, QImage.Format.Format_RGB32)
    image.fill(0x123456)
    scaled = video_convert.scaled_to_fit(image, QSize(4, 4))
    assert scaled.size() == QSize(4, 4) and scaled.pixel(0, 0) & 0xFFFFFF == 0x123456, \
        "QImage::scaled through ctypes no longer gives Qt's image: revisit ui/video_convert.py"


def test_qt_still_reads_the_glyph_cache_variables() -> None:
    """commandcenter/ui/glyph_cache.py sets `QT_MAX_CACHED_GLYPH_SIZE` (the raster engine's largest cached glyph)
    and `QT_NO_FT_CACHE` (FreeType's engine cache off, which otherwise hands blank glyphs above 64 px): both are
    undocumented environment variables Qt reads from its Gui library."""
    from pathlib import Path

    import PySide6

    gui = sorted((Path(PySide6.__file__).parent / "Qt" / "lib").glob("libQt6Gui.so*"))
    if not gui:
        pytest.skip("no libQt6Gui.so here (not a Linux wheel)")
    data = gui[0].read_bytes()
    for name in (b"QT_MAX_CACHED_GLYPH_SIZE", b"QT_NO_FT_CACHE"):
        assert name in data, f"Qt no longer reads {name.decode()}: revisit ui/glyph_cache.py"
