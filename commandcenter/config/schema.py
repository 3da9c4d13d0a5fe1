"""The shape of a wall's TOML config. Unknown keys are errors (extra="forbid")."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..domain import Category

TileKind = Literal["incidents", "alerts", "resources", "kpis", "map", "details", "drill", "feeds"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class WallSection(_Strict):
    title: str = "城市运行指挥中心"
    language: Literal["zh_CN", "en"] = "zh_CN"
    timezone: str = "Asia/Shanghai"
    territory_node: str = ""        # the node KPI tiles follow; "" = the whole territory


class StoreSection(_Strict):
    url: str = ""                   # "" = sqlite file in the user data directory
    retention_days: int = Field(default=90, ge=1)


class FeedSection(_Strict):
    name: str = Field(min_length=1)
    kind: Literal["native", "open311", "cap", "geojson"] = "native"
    url: str = Field(min_length=1)
    mode: Literal["poll", "sse", "ws"] = "poll"
    interval: float = Field(default=2.0, gt=0, le=3600)
    timeout: float = Field(default=10.0, gt=0, le=600)
    token_env: str = ""             # name of an environment variable holding a bearer token
    max_bytes: int = Field(default=16 * 1024 * 1024, gt=0)
    categories: dict[str, Category] = Field(default_factory=dict)  # open311 service_name → category

    @field_validator("url")
    @classmethod
    def _url_scheme(cls, v: str) -> str:
        if not v.startswith(("http://", "https://", "file://", "/", "./", "embedded:")):
            raise ValueError("expected an http(s):// URL, a file path or embedded:")
        return v


class TileSection(_Strict):
    kind: TileKind
    row: int = Field(ge=0)
    column: int = Field(ge=0)
    row_span: int = Field(default=1, ge=1)
    column_span: int = Field(default=1, ge=1)
    title: str = ""
    territory_node: str = ""


class PageSection(_Strict):
    name: str = Field(min_length=1)
    rows: int = Field(default=3, ge=1, le=24)
    columns: int = Field(default=4, ge=1, le=24)
    tiles: list[TileSection] = Field(default_factory=list)

    @model_validator(mode="after")
    def _tiles_fit(self) -> "PageSection":
        for i, t in enumerate(self.tiles):
            if t.row + t.row_span > self.rows or t.column + t.column_span > self.columns:
                raise ValueError(
                    f"tiles[{i}] ({t.kind}) at row {t.row}+{t.row_span}, column {t.column}+{t.column_span} "
                    f"does not fit a {self.rows}x{self.columns} page"
                )
        return self


class DeadlinesSection(_Strict):
    """Hours allowed to close a non-emergency event, per category."""

    hours: dict[Category, float] = Field(default_factory=dict)


class AlertsSection(_Strict):
    sound: bool = True
    volume: float = Field(default=0.8, ge=0, le=1)
    guidance: dict[str, str] = Field(default_factory=dict)  # alert type → what to do, whom to call


class Config(_Strict):
    wall: WallSection = WallSection()
    store: StoreSection = StoreSection()
    feeds: list[FeedSection] = Field(default_factory=list)
    pages: list[PageSection] = Field(default_factory=list)
    deadlines: DeadlinesSection = DeadlinesSection()
    alerts: AlertsSection = AlertsSection()

    @model_validator(mode="after")
    def _unique_feed_names(self) -> "Config":
        names = [f.name for f in self.feeds]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"feed names must be unique; repeated: {', '.join(dupes)}")
        return self
