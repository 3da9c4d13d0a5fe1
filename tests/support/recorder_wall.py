"""A real wall (offscreen, no feeds of its own) with its recorder child, for the tests that kill or stop the wall's
process: `python -m tests.support.recorder_wall CONFIG STORE_URL`. Prints each recorder status as
`recorder STATE PID EXIT_CODE`; SIGTERM stops it the way it stops `commandcenter run`."""
import sys

from commandcenter.config import config_from_dict
from commandcenter.services.recorder_child import RecorderSupervisor, recorder_argv
from commandcenter.ui.app import run_wall


def main(config_path: str, store_url: str) -> int:
    wall_config = config_from_dict({"wall": {"kiosk": False, "rotate_seconds": 0}, "pages": [
        {"name": "p", "rows": 1, "columns": 1, "tiles": [{"kind": "incidents", "row": 0, "column": 0}]}]})
    recorder = RecorderSupervisor(recorder_argv(config_path, store_url))
    recorder.on_status(lambda s: print(f"recorder {s.state} {s.pid} {s.last_exit_code}", flush=True))
    return run_wall(wall_config, store_url, recorder=recorder, kiosk=False)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
