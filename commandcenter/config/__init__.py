"""Wall configuration: the TOML schema and its loader."""
from .packaged import EXAMPLES_DIR, SCENARIOS_DIR, packaged_path
from .loader import DEFAULT_CONFIG, ConfigError, default_store_url, store_url, config_from_dict, load_config, parse_config
from .schema import (
    AlertsSection, Config, DeadlinesSection, DrillSection, FeedSection, PageSection, StoreSection, TILE_KINDS, TileSection, WallSection,
)

__all__ = [
    "DEFAULT_CONFIG", "EXAMPLES_DIR", "SCENARIOS_DIR", "packaged_path", "DrillSection", "drill_backend_feed", "AlertsSection", "Config", "ConfigError", "DeadlinesSection", "FeedSection",
    "PageSection", "StoreSection", "TILE_KINDS", "TileSection", "WallSection", "config_from_dict", "default_store_url", "store_url", "load_config", "parse_config",
]


def drill_backend_feed(config: Config) -> FeedSection | None:
    """The feed `[drill] backend` names (validated when the config was read), or None."""
    return next((f for f in config.feeds if f.name == config.drill.backend), None) if config.drill.backend else None
