"""A wall that follows a store shows the KPIs its recorder builds: started with another `[store] timezone` or
other `[deadlines.hours]` than the store keeps, it refuses to start and says which key of which file differs. So do
the commands that read the store (kpis, report, export, drill): none of them rebuilds a shared store's rollups on its
own config's calendar."""
from __future__ import annotations

import pytest

from commandcenter.cli import main
from commandcenter.domain import kpis as DK
from commandcenter.store import Store


def test_a_following_wall_whose_calendar_differs_from_the_stores_refuses_to_start_naming_file_key_and_values(
        tmp_path, capsys) -> None:
    db = tmp_path / "shared.db"
    Store.open(f"sqlite:///{db}", tz="Asia/Shanghai", limits=DK.limits_for_hours({"fire": 3})).close()  # the recorder
    cfg = tmp_path / "wall-2.toml"
    cfg.write_text(f'[store]\nurl = "sqlite:///{db}"\nfollow = true\ntimezone = "Asia/Tokyo"\n\n'
                   '[deadlines.hours]\nfire = 3\n', encoding="utf-8")
    out = tmp_path / "wall-2.png"
    assert main(["snapshot", "--config", str(cfg), "--out", str(out), "--after", "0", "--size", "640x360"]) == 2
    err = capsys.readouterr().err
    assert f'{cfg}: [store] timezone = "Asia/Tokyo" here, "Asia/Shanghai" in the store.' in err
    assert "deadlines" not in err and not out.exists()



@pytest.mark.parametrize("command", [["kpis"], ["export", "incidents", "--out", "-"], ["drill", "list"],
                                     ["report", "--daily", "today", "--out", "{tmp}/daily.html"]])
def test_a_command_reading_the_store_on_another_calendar_says_so_and_leaves_its_rollups_alone(
        tmp_path, capsys, command: list[str]) -> None:
    db = tmp_path / "shared.db"
    recorder = {"tz": "Asia/Shanghai", "limits": DK.limits_for_hours({"fire": 3})}
    Store.open(f"sqlite:///{db}", **recorder).close()
    cfg = tmp_path / "console.toml"
    cfg.write_text(f'[store]\nurl = "sqlite:///{db}"\ntimezone = "Asia/Tokyo"\n\n[deadlines.hours]\nfire = 3\n',
                   encoding="utf-8")
    argv = [part.format(tmp=tmp_path) for part in command] + ["--config", str(cfg)]
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert f'{cfg}: [store] timezone = "Asia/Tokyo" here, "Asia/Shanghai" in the store.' in err
    Store.open(f"sqlite:///{db}", calendar="require", **recorder).close()     # still the recorder's calendar
