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
