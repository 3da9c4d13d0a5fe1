"""Wall configuration: the TOML schema and its loader."""
from .loader import DEFAULT_CONFIG, ConfigError, default_store_url, store_url, config_from_dict, load_config, parse_config
from .schema import (
    AlertsSection, Config, DeadlinesSection, FeedSection, PageSection, StoreSection, TileSection, WallSection,
)

__all__ = [
    "DEFAULT_CONFIG", "AlertsSection", "Config", "ConfigError", "DeadlinesSection", "FeedSection",
    "PageSection", "StoreSection", "TileSection", "WallSection", "config_from_dict", "default_store_url", "store_url", "load_config", "parse_config",
]
