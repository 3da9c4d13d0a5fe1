"""Config is validated at load: errors name the file, the key path and what was expected."""
import pytest

from commandcenter.config import DEFAULT_CONFIG, ConfigError, load_config, parse_config


def test_the_shipped_default_config_loads():
    config = load_config(DEFAULT_CONFIG)
    assert config.feeds[0].kind == "native"
    assert config.pages and config.pages[0].tiles


def test_unknown_keys_are_errors_naming_file_and_key_path():
    with pytest.raises(ConfigError) as err:
        parse_config('[wall]\ntitel = "x"\n', "wall.toml")
    assert "wall.toml: wall.titel: unknown key" in str(err.value)


def test_a_bad_value_names_the_key_path_and_what_was_expected():
    text = '[[feeds]]\nname = "a"\nurl = "http://x"\ninterval = -1\n'
    with pytest.raises(ConfigError) as err:
        parse_config(text, "f.toml")
    assert "f.toml: feeds[0].interval: Input should be greater than 0 (got -1)" in str(err.value)


def test_a_tile_outside_its_page_is_refused():
    text = '[[pages]]\nname = "p"\nrows = 2\ncolumns = 2\n[[pages.tiles]]\nkind = "map"\nrow = 1\ncolumn = 1\nrow_span = 2\n'
    with pytest.raises(ConfigError) as err:
        parse_config(text, "p.toml")
    assert "pages[0]" in str(err.value) and "does not fit a 2x2 page" in str(err.value)


def test_broken_toml_is_reported_with_the_file_name():
    with pytest.raises(ConfigError) as err:
        parse_config("[wall\n", "broken.toml")
    assert str(err.value).startswith("broken.toml: (top level): not valid TOML")


def test_a_missing_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError) as err:
        load_config(tmp_path / "nope.toml")
    assert "nope.toml" in str(err.value) and "cannot read" in str(err.value)


def test_repeated_feed_names_are_refused():
    text = '[[feeds]]\nname = "a"\nurl = "http://x"\n[[feeds]]\nname = "a"\nurl = "http://y"\n'
    with pytest.raises(ConfigError, match="repeated: a"):
        parse_config(text)


@pytest.mark.parametrize("kind", ["feeds", "details"])
def test_a_tile_kind_the_wall_cannot_build_is_refused_naming_the_kinds_it_can(kind):
    text = f'[[pages]]\nname = "p"\nrows = 1\ncolumns = 1\n[[pages.tiles]]\nkind = "{kind}"\nrow = 0\ncolumn = 0\n'
    with pytest.raises(ConfigError) as err:
        parse_config(text, "wall.toml")
    message = str(err.value)
    assert message.startswith("wall.toml: pages[0].tiles[0].kind: no such tile kind; the wall can build: ")
    assert ("incidents, warnings, alerts, alarms, supervision, resources, kpis, map, drill" in message
            and repr(kind) in message)


def test_every_tile_kind_the_config_accepts_has_a_builder_on_the_wall():
    from commandcenter.config import TILE_KINDS
    from commandcenter.ui.tiles import TILE_BUILDERS

    assert set(TILE_BUILDERS) == set(TILE_KINDS)


def test_the_wall_knows_its_screens_size_and_the_farthest_seat():
    config = parse_config('[wall]\nscreen_diagonal_inches = 110\nviewing_distance_m = 7.5\n', "room.toml")
    room = config.wall.room()
    assert (room.diagonal_inches, room.dpi, room.distance_m) == (110, None, 7.5)
    assert parse_config('[wall]\nscreen_dpi = 40\n', "room.toml").wall.room().dpi == 40


def test_without_a_screen_size_the_wall_assumes_98_inch_panels_at_5_m():
    room = parse_config("", "room.toml").wall.room()
    assert (room.diagonal_inches, room.distance_m) == (98, 5)


@pytest.mark.parametrize("text, expected", [
    ("[wall]\nviewing_distance_m = 0\n", "room.toml: wall.viewing_distance_m: Input should be greater than 0.3 (got 0)"),
    ("[wall]\nscreen_diagonal_inches = -98\n",
     "room.toml: wall.screen_diagonal_inches: Input should be greater than 5 (got -98)"),
    ("[wall]\nscreen_dpi = \"big\"\n", "room.toml: wall.screen_dpi: Input should be a valid number"),
    ("[wall]\nscreen_dpi = 40\nscreen_diagonal_inches = 98\n",
     "room.toml: wall: give either screen_diagonal_inches or screen_dpi, not both"),
    ("[[screens]]\nindex = 0\ndpi = 40\ndiagonal_inches = 98\n",
     "room.toml: screens[0]: give either diagonal_inches or dpi, not both"),
])
def test_a_bad_screen_size_or_distance_names_file_key_and_expectation(text, expected):
    with pytest.raises(ConfigError) as err:
        parse_config(text, "room.toml")
    assert expected in str(err.value)


def test_a_screen_may_have_its_own_size():
    config = parse_config('[wall]\nviewing_distance_m = 6\n[[screens]]\nindex = 1\ndiagonal_inches = 55\n', "r.toml")
    room = config.screens[0].room(config.wall.room())
    assert (room.diagonal_inches, room.distance_m) == (55, 6)


def test_ended_incidents_stay_three_hours_unless_the_wall_says_otherwise():
    assert parse_config("").wall.keep_ended_minutes == 180
    assert parse_config("[wall]\nkeep_ended_minutes = 30\n").wall.keep_ended_minutes == 30


@pytest.mark.parametrize("value, expected", [
    ("0", "Input should be greater than or equal to 1 (got 0)"),
    ("20000", "Input should be less than or equal to 10080 (got 20000)"),
    ('"soon"', "Input should be a valid integer"),
])
def test_a_bad_keep_ended_minutes_names_file_key_and_what_was_expected(value, expected):
    with pytest.raises(ConfigError) as err:
        parse_config(f"[wall]\nkeep_ended_minutes = {value}\n", "wall.toml")
    assert f"wall.toml: wall.keep_ended_minutes: {expected}" in str(err.value)
