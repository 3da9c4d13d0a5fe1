"""Helpers the commands share: loading config with a readable error, finding the running demo, opening a store
only where one is meant to be, and the demo's embedded city."""
from __future__ import annotations

import os
import socket
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import DEFAULT_CONFIG, SCENARIOS_DIR, Config, ConfigError, load_config, store_url
from ..config.schema import FeedSection

if TYPE_CHECKING:
    from ..store import Store
    from ..services.recorder_child import RecorderSupervisor
    from ..sim.broker import Broker
    from ..sim.sensors import SensorPublisher
    from ..sim.territory import City


def load_or_exit(path: str | Path) -> Config:
    try:
        config = load_config(path)
    except ConfigError as exc:
        print(f"配置错误 / config error:\n{exc}", file=sys.stderr)
        raise SystemExit(2) from None
    if Path(path) == demo_runtime_config():
        print(f"使用运行中的演示配置 / using the running demo's config: {path}", file=sys.stderr)
    return config


def name_connections(command: str) -> str:
    """Name this process's PostgreSQL sessions `commandcenter-COMMAND HOST:PID` in pg_stat_activity (libpq reads
    PGAPPNAME for every connection that does not name itself): an administrator, and the scale bench, tell the
    recorder's sessions from each wall's. Set by every command, so a recorder a wall started is not named `run`."""
    name = f"commandcenter-{command} {socket.gethostname()}:{os.getpid()}"[:63]
    os.environ["PGAPPNAME"] = name
    return name


# ---------------------------------------------------------------- the running demo, found by other commands
def runtime_dir() -> Path:
    """Where a running demo leaves its config: $COMMANDCENTER_RUNTIME_DIR, else the user's runtime directory."""
    given = os.environ.get("COMMANDCENTER_RUNTIME_DIR")
    if given:
        return Path(given)
    xdg = os.environ.get("XDG_RUNTIME_DIR")
    if xdg and os.path.isdir(xdg):
        return Path(xdg) / "commandcenter"
    return Path(tempfile.gettempdir()) / f"commandcenter-{os.getuid()}"


def demo_runtime_config() -> Path:
    return runtime_dir() / "demo.toml"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def running_demo_config() -> Path | None:
    """The config of a demo running now (its simulator's URL, its store), or None."""
    path = demo_runtime_config()
    pid_file = path.with_suffix(".pid")
    try:
        pid = int(pid_file.read_text().strip())
    except (OSError, ValueError):
        return None
    return path if path.exists() and _pid_alive(pid) else None


def default_config() -> Path:
    """A command's config when none is given: the running demo's, else the bundled default.toml."""
    return running_demo_config() or DEFAULT_CONFIG


#: The demo's extra live events per real second, so a small city looks alive; 0 shows the seeds' natural rate.
DEMO_EXTRA_EVENTS_PER_S = 0.5
#: Days of past the demo city has lived before its wall connects (served once, compactly: sim.world): enough for
#: the KPI cards' 24 hours and for a street's 110 calls to fill the 30 days' sample (≈14 a day; 225 needed).
DEMO_BACKFILL_DAYS = 20.0


def add_demo_extra_events_option(parser) -> None:
    parser.add_argument("--demo-extra-events-per-s", type=float, default=DEMO_EXTRA_EVENTS_PER_S, metavar="N",
                        help="演示附加事件 / extra live events per real second on top of the profile's natural rate "
                             f"(default {DEMO_EXTRA_EVENTS_PER_S:g}; 0 = the seeds' natural rate only)")


@contextmanager
def published_demo(config: Config, store: str) -> Iterator[Path]:
    """While the demo runs, its config (feeds on the simulator, its store) is where `default_config` finds it."""
    folder = runtime_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = write_config(config, store, demo_runtime_config(),
                        "The running `commandcenter demo`'s config: other commands use it while the demo runs.\n"
                        "Written and removed by the demo; edits are not read back.")
    pid_file = path.with_suffix(".pid")
    pid_file.write_text(str(os.getpid()), encoding="utf-8")
    try:
        yield path
    finally:
        try:
            ours = pid_file.read_text().strip() == str(os.getpid())    # not a later demo's
        except OSError:
            ours = False
        for p in (path, pid_file) if ours else ():
            p.unlink(missing_ok=True)


@contextmanager
def demo_recorder_config(config: Config, store: str) -> Iterator[Path]:
    """The config the demo's recorder child records, written to a folder of this demo's own: exactly the one its
    wall shows (simulator URL, MQTT broker, basemap), never another demo's published file."""
    with tempfile.TemporaryDirectory(prefix="commandcenter-demo-recorder-") as folder:
        yield write_config(config, store, Path(folder) / "recorder.toml",
                           "The config `commandcenter demo` gave its recorder child (written and removed by the demo).")


def backend_clock(config: Config):
    """The wall's "now" for a command (its reference backend's time, read once): a drill started or stopped from
    a terminal is recorded on the same clock as the backend's events and the walls' actions."""
    from ..feeds.clock import BackendClocks

    clocks = BackendClocks(config.feeds, config.drill.backend)
    clocks.read_once()
    return clocks.now


# ---------------------------------------------------------------- stores
def sqlite_file(url: str) -> Path | None:
    for prefix in ("sqlite:///", "sqlite+pysqlite:///"):
        if url.startswith(prefix) and url[len(prefix):] not in ("", ":memory:"):
            return Path(url[len(prefix):])
    return None


def store_url_or_exit(config: Config, given: str = "", *, create: bool) -> str:
    """The store a command uses. A command that only reads or changes what is there (`create=False`) never
    creates one: a missing SQLite file is an error naming it, not a new empty store in the user's data folder."""
    url = given or store_url(config)
    path = sqlite_file(url)
    if path is not None and not path.exists():
        if not create:
            print(f"store: no store at {path} (nothing recorded there yet). Start the wall or the demo first, "
                  "or name the store with --config or --store.", file=sys.stderr)
            raise SystemExit(2)
        path.parent.mkdir(parents=True, exist_ok=True)
    return url


def open_store_or_exit(config: Config, config_path: str, command: str, given: str = "", *,
                       create: bool = False) -> Store:
    """The store a command that is not its recorder uses (kpis, report, export, drill): it keeps the KPI calendar
    its recorder built the rollups on, and a config on another one is an error naming the file and each key, never
    a rebuild of a shared store's rollups on this config's calendar."""
    from ..domain import kpis as DK
    from ..store import CalendarMismatch, Store, StoreError

    url = store_url_or_exit(config, given, create=create)
    try:
        return Store.open(url, tz=config.store.timezone, limits=DK.limits_for_hours(config.deadlines.hours),
                          calendar="require")
    except CalendarMismatch as exc:
        print(f"{command}: {exc.explain(config_path)}", file=sys.stderr)
    except StoreError as exc:
        print(f"{command}: store: {exc}", file=sys.stderr)
    raise SystemExit(2)


# ---------------------------------------------------------------- the wall's own recorder
def records_feeds(config: Config) -> bool:
    """Whether the config names a feed of records (a camera catalogue alone is read by the wall itself)."""
    from ..feeds import CATALOGUE_KINDS

    return any(f.kind not in CATALOGUE_KINDS for f in config.feeds)


def wall_follows_store(config: Config, store: str) -> bool:
    """Whether the wall of `run`/`demo` reads committed batches from the store instead of running the feeds itself.
    `[store] follow` when set; unset, on a SQLite file with feeds to record (the single-machine default: the wall
    starts its own recorder child) and off elsewhere (on a shared PostgreSQL the recorder is a service of its own,
    and a wall follows only when its config says so). A config without record feeds always follows."""
    if config.store.follow is not None:
        return config.store.follow or not records_feeds(config)
    return sqlite_file(store) is not None or not records_feeds(config)


def with_follow(config: Config, follow: bool) -> Config:
    """The config with `[store] follow` decided, as the wall then runs it."""
    return config.model_copy(update={"store": config.store.model_copy(update={"follow": follow})})


def wall_recorder(config: Config, store: str, config_path: str | Path) -> RecorderSupervisor | None:
    """The recorder child of a wall on one machine (`run`/`demo` on SQLite, following the store): the feeds → store
    work in a process of its own reading `config_path`, bound to the wall's life (services/recorder_child.py).
    None otherwise: on a shared PostgreSQL the recorder is a service of its own, a wall that does not follow runs
    its feeds, and a config without record feeds has nothing to record."""
    if not (wall_follows_store(config, store) and sqlite_file(store) is not None and records_feeds(config)):
        return None
    from ..services.recorder_child import RecorderSupervisor, recorder_argv

    return RecorderSupervisor(recorder_argv(config_path, store))


def wall_setup(config: Config, store: str, config_path: str | Path) -> tuple[Config, RecorderSupervisor | None]:
    """What `run` and `demo` start: the config with `[store] follow` decided (wall_follows_store) and the wall's
    recorder child, if it has one."""
    return with_follow(config, wall_follows_store(config, store)), wall_recorder(config, store, config_path)


def write_config(config: Config, store: str, path: Path, header: str) -> Path:
    """`config` on `store` written to `path` as TOML (atomically: a reader never sees half a file)."""
    from ..config.writer import dump_toml

    store_section = config.store.model_copy(update={"url": store})
    text = dump_toml(config.model_copy(update={"store": store_section}), header)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return path


# ---------------------------------------------------------------- the demo's city
def cameras_on_tiles(config: Config) -> int:
    """How many of the catalogue's first cameras the config's video tiles may show (their largest tile's slots):
    the demo's simulator streams those from the start, so a click does not wait for an encoder."""
    return max((t.slots for page in config.pages for t in page.tiles if t.kind == "video"), default=0)


@contextmanager
def demo_city(profile: str = "street", seed: int = 1, speed: float = 1.0,
              extra_events_per_s: float = DEMO_EXTRA_EVENTS_PER_S, store: str = "") -> Iterator[tuple[Config, str]]:
    """Start the simulated city on a free loopback port; yield the default config pointed at it and its store
    (`store`, else a fresh temporary one: the simulated city starts its sequence anew each run).

    Extra demo events are announced on the console and in the wall's title, so nobody takes them for the city."""
    from ..sim import run_in_thread

    config = load_or_exit(os.environ.get("COMMANDCENTER_DEMO_CONFIG", DEFAULT_CONFIG))
    sim = run_in_thread(profile=profile, seed=seed, speed=speed, demo_extra_events_per_s=extra_events_per_s,
                        backfill_days=DEMO_BACKFILL_DAYS, video_always_on=cameras_on_tiles(config))
    city = sim.server.city
    assert city is not None, "a started simulator has its city"
    sensors = demo_sensors(city, seed)
    try:
        feeds = [f.model_copy(update={"url": sim.url}) if f.kind in ("native", "cameras") else f
                 for f in config.feeds]
        if sensors is not None:
            broker, _ = sensors
            feeds = [f for f in feeds if f.kind != "mqtt"] + [FeedSection(
                name="sensors", kind="mqtt", url=broker.url, client_id=f"commandcenter-demo-{os.getpid()}")]
        config = config.model_copy(update={"feeds": feeds})
        if extra_events_per_s > 0:
            label = f"演示附加事件 +{extra_events_per_s:g}/秒"
            print(f"commandcenter: {label} (demo extra events: +{extra_events_per_s:g} per second on top of the "
                  f"{profile} profile's natural rate)", file=sys.stderr, flush=True)
            wall = config.wall.model_copy(update={"demo_extra_events_per_s": extra_events_per_s})
            config = config.model_copy(update={"wall": wall})
        with tempfile.TemporaryDirectory(prefix="commandcenter-demo-") as tmp:
            config = with_demo_basemap(config, city, Path(tmp) / "basemap")
            # A fresh store unless one is given: the simulated city starts its sequence anew each run.
            yield config, store or f"sqlite:///{Path(tmp) / 'demo.db'}"
    finally:
        if sensors is not None:
            broker, publisher = sensors
            publisher.stop()
            broker.close()
        sim.stop()


def scenario_path(arg: str) -> Path:
    """A scenario file as given, else the bundled scenario of that name (`sample-drill`), else the path as given
    (its reader then says it is missing)."""
    given = Path(arg)
    if given.exists():
        return given
    bundled = SCENARIOS_DIR / (arg if arg.endswith(".toml") else f"{arg}.toml")
    return bundled if bundled.is_file() and given.name == arg else given


def with_demo_basemap(config: Config, city: City, folder: Path) -> Config:
    """The simulated city's own basemap (river, roads, place names: sim/basemap.py) written to `folder` and put
    under the map, unless the config brings a basemap of its own."""
    from ..config.schema import MapLayerSection
    from ..sim.basemap import write_layers

    if config.map.layers or config.map.basemap:
        return config
    paths = write_layers(city, folder)
    layers = [MapLayerSection.model_validate({"kind": kind, "path": str(path)}) for kind, path in paths.items()]
    return config.model_copy(update={"map": config.map.model_copy(update={"layers": layers})})


DEMO_SENSORS = 2000


def demo_sensors(city: City, seed: int) -> tuple[Broker, SensorPublisher] | None:
    """The demo's sensors: mosquitto on a free loopback port and the city's devices publishing to it; None (said
    on stderr) when mosquitto is not installed: the demo then runs without sensors."""
    from ..sim.broker import Broker, BrokerError
    from ..sim.sensors import SensorPublisher, fleet

    try:
        broker = Broker().start()
    except (BrokerError, OSError) as exc:
        print(f"commandcenter: no sensors in this demo: {exc}", file=sys.stderr, flush=True)
        return None
    publisher = SensorPublisher(broker.url, fleet(city, DEMO_SENSORS, seed), interval=10.0, seed=seed).start()
    return broker, publisher
