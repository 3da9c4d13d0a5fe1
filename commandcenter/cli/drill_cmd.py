"""`commandcenter drill start SCENARIO.toml [--config PATH]` and `drill stop | list | delete ID`.

`start` hands the scenario to the backend the config's `[drill] backend` names (the simulator's scenario
player, which publishes the drill's events on its feeds, each tagged with the drill id), or, without one,
plays it into the store itself; then it records DRILL_START with who and why. Walls on the same store follow
it (DrillManager.sync) and show the banner, badges and live scores. It runs in the foreground, printing the
scores, until the scenario ends (then it stops the drill, unless --keep), Ctrl-C, or a `drill stop` from
any console. A backend that refuses the drill or cannot be reached is an error, and nothing is started.
"""
from __future__ import annotations

import argparse
import getpass
import socket
import sys
import time
from typing import TYPE_CHECKING

from .common import backend_clock, default_config, load_or_exit, open_store_or_exit, scenario_path

if TYPE_CHECKING:
    from ..store import Store


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("drill", help="应急演练 / start, stop, list or delete a drill")
    dsub = p.add_subparsers(dest="drill_command", required=True, metavar="ACTION")
    s = dsub.add_parser("start", help="start a drill from a scenario file")
    s.add_argument("scenario", type=scenario_path,
                   help="a scenario TOML file, or the name of a bundled one (sample-drill)")
    s.add_argument("--actor", default="", help="who starts it (default: the login name)")
    s.add_argument("--reason", default="", help="why (recorded with the action)")
    s.add_argument("--speed", type=float, default=1.0, help="drill clock speed (1 = real time)")
    s.add_argument("--seat", default="", help="the seat (席位) it is started from")
    s.add_argument("--keep", action="store_true", help="keep the drill running after the last scenario event")
    s.add_argument("--linger", type=float, default=5.0,
                   help="drill seconds after the last event before the drill ends by itself")
    st = dsub.add_parser("stop", help="stop the running drill")
    st.add_argument("--actor", default="")
    st.add_argument("--seat", default="")
    st.add_argument("--reason", default="")
    dsub.add_parser("list", help="drills in the store")
    d = dsub.add_parser("delete", help="delete every record a drill made (and nothing else)")
    d.add_argument("drill_id")
    for q in (s, st, d) + tuple(x for x in dsub.choices.values() if x.prog.endswith("list")):
        q.add_argument("--config", default=str(default_config()))
        q.add_argument("--store", default="", help="store URL (default: the config's)")
    p.set_defaults(func=run)


def _open(args: argparse.Namespace) -> Store:
    # only a drill that starts may make a store; and it starts only once its backend answered (run())
    return open_store_or_exit(args.loaded_config, args.config, "drill", args.store,
                              create=args.drill_command == "start")


def _backend(args: argparse.Namespace):
    from ..services.drills import DrillBackend

    return DrillBackend.from_config(args.loaded_config)


def run(args: argparse.Namespace) -> int:
    from ..services.drills import DrillBackendError

    args.loaded_config = load_or_exit(args.config)
    backend = _backend(args) if args.drill_command == "start" else None
    if backend is not None:
        try:
            backend.running()          # reachable before anything is written (a store included)
        except DrillBackendError as exc:
            print(f"drill: not started: {exc}", file=sys.stderr)
            return 2
    store = _open(args)
    try:
        return {"start": _start, "stop": _stop, "list": _list, "delete": _delete}[args.drill_command](args, store)
    finally:
        store.close()


def stage_mark(st) -> str:
    """✓ / ✗ once settled, 待定 while past the target but the data that could show it met is not in yet."""
    if st.pending:
        return " 待定"
    return {True: "✓", False: "✗", None: ""}[st.met_target]


def _start(args: argparse.Namespace, store) -> int:
    from ..services import LiveState
    from ..services.drill_report import fmt_secs
    from ..services.drills import DrillBackendError, DrillManager, ended_drill_ids, load_scenario

    try:
        scenario = load_scenario(args.scenario)
    except (OSError, ValueError) as exc:
        print(f"drill: cannot read {args.scenario}: {exc}", file=sys.stderr)
        return 2
    live = LiveState()
    live.territory.update({n.id: n for n in store.territory()})
    live.ended_drills.update(ended_drill_ids(store))
    backend = _backend(args)
    mgr = DrillManager(store, live, clock=backend_clock(args.loaded_config), console=socket.gethostname(),
                       backend=backend)
    mgr.sync()   # a drill whose scenario has played out ends here; one still running is followed
    if mgr.current is not None:
        print(f"drill: {mgr.current.id} ({mgr.current.scenario.name}) is still running; stop it first", file=sys.stderr)
        return 1
    actor = args.actor or getpass.getuser()
    try:
        drill = mgr.start(scenario, actor=actor, reason=args.reason, speed=args.speed, seat=args.seat,
                          keep=args.keep, grace_s=args.linger)
    except (DrillBackendError, ValueError) as exc:
        print(f"drill: not started: {exc}", file=sys.stderr)
        return 2
    where = f"played by {backend.url}" if backend is not None else "played here"
    shown = 0.0
    print(f"drill: started {drill.id} · {scenario.name} · {len(scenario.events)} events over "
          f"{fmt_secs(scenario.duration_s)} (speed {drill.speed:g}×, {where})")
    last_line = ""
    try:
        while True:
            mgr.tick()
            mgr.sync()      # a stop anywhere, or the scenario played out (recorded as ended by itself)
            if mgr.current is None:
                ended = store.drill_records(drill_id=drill.id)
                how = ended[0].stop_kind if ended else ""
                print("drill: the scenario has ended" if how == "scenario_end" else "drill: stopped from another console")
                break
            line = " | ".join(
                f"{s.title}: " + " ".join(f"{st.stage[:4]} {fmt_secs(st.elapsed_s)}{stage_mark(st)}"
                                           for st in s.stages) for s in mgr.scores())
            clock_line = f"[{fmt_secs(mgr.elapsed().total_seconds())}] {line}"
            if line != last_line or time.monotonic() - shown >= 5:
                print(clock_line)
                last_line, shown = line, time.monotonic()
            time.sleep(0.5)
    except KeyboardInterrupt:
        mgr.stop(actor=actor, reason="手动结束 / interrupted", seat=args.seat)
    print(f"drill: {drill.id} stopped. Report: commandcenter report --drill {drill.id} --out report.pdf")
    return 0


def _stop(args: argparse.Namespace, store) -> int:
    from ..domain import ActionKind, OperatorAction

    running = store.drill_records(running_only=True)
    if not running:
        print("drill: no drill is running")
        return 1
    backend = _backend(args)
    now = backend_clock(args.loaded_config)     # the drill's events are on the backend's clock: so is its stop
    for rec in running:
        if backend is not None:
            from ..services.drills import DrillBackendError

            try:
                backend.stop(rec.id)
            except DrillBackendError as exc:
                print(f"drill: {exc} (recording the stop anyway)", file=sys.stderr)
        at = now()
        store.record_drill_stop(rec.id, at, action=OperatorAction(
            ActionKind.DRILL_STOP, "drill", rec.id, args.actor or getpass.getuser(), socket.gethostname(), at,
            reason=args.reason, drill_id=rec.id, seat=args.seat))
        print(f"drill: stopped {rec.id}")
    return 0


def _list(args: argparse.Namespace, store) -> int:
    for r in store.drill_records():
        state = "running" if r.running else ("ended by itself" if r.stop_kind == "scenario_end" else "stopped")
        print(f"{r.id}\t{r.started_at.isoformat()}\t{state}\t{r.name}")
    return 0


def _delete(args: argparse.Namespace, store) -> int:
    n = store.delete_drill(args.drill_id)
    print(f"drill: deleted {n} records of {args.drill_id}")
    return 0
