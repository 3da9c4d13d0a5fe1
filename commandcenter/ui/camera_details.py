"""Cameras in the detail panel: the cameras nearest a case (distance, direction) with the nearest one playing, and
a camera's own detail. Used by ui/details.py for incidents, alerts, sensors and cameras."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QLabel, QWidget

from ..domain import TerritoryNode
from ..domain.cameras import NearCamera
from ..services.cameras import CameraDirectory
from .noop import QT_TRANSLATE_NOOP
from .video import CameraPlayer, CameraView

NEAR_SHOWN = 4
VIEW_HEIGHT_PX = 240

DIRECTIONS: dict[str, str] = {
    "N": QT_TRANSLATE_NOOP("CameraDetails", "北"), "NE": QT_TRANSLATE_NOOP("CameraDetails", "东北"),
    "E": QT_TRANSLATE_NOOP("CameraDetails", "东"), "SE": QT_TRANSLATE_NOOP("CameraDetails", "东南"),
    "S": QT_TRANSLATE_NOOP("CameraDetails", "南"), "SW": QT_TRANSLATE_NOOP("CameraDetails", "西南"),
    "W": QT_TRANSLATE_NOOP("CameraDetails", "西"), "NW": QT_TRANSLATE_NOOP("CameraDetails", "西北"),
}


class Panel(Protocol):
    """What of the detail panel these rows use."""

    def heading(self, text: str) -> QLabel: ...
    def line(self, text: str) -> QLabel: ...
    def link_row(self, text: str, kind: str, record_id: str) -> QLabel: ...
    def widget(self, w: QWidget) -> QWidget: ...


def _tr(text: str) -> str:
    return QCoreApplication.translate("CameraDetails", text)


def near_text(near: NearCamera) -> str:
    """"东门路口 · 320 米 · 东北" (from the case towards the camera)."""
    distance = f"{near.distance_m:.0f} {_tr('米')}" if near.distance_m < 1000 else \
        f"{near.distance_m / 1000:.1f} {_tr('公里')}"
    return f"{near.camera.name} · {distance} · {_tr(DIRECTIONS[near.direction])}"


def place_of_grid(node: TerritoryNode | None) -> tuple[float, float] | None:
    """The middle of a grid's polygon (its vertices' mean: grids are small and convex enough for a camera search)."""
    if node is None or not node.polygon:
        return None
    xs = [p[0] for p in node.polygon]
    ys = [p[1] for p in node.polygon]
    return sum(xs) / len(xs), sum(ys) / len(ys)


def render_near_cameras(panel: Panel, directory: CameraDirectory | None, place: tuple[float, float] | None,
                        clock: Callable[[], datetime], parent: QWidget) -> CameraPlayer | None:
    """The cameras nearest `place` as rows (each opens its camera) and the nearest online one playing; the
    player, for the caller to stop when the panel goes."""
    if directory is None or place is None:
        return None
    panel.heading(_tr("附近视频"))
    near = directory.nearest(place[0], place[1], NEAR_SHOWN)
    if not near:
        panel.line(_tr("附近没有摄像头"))
        return None
    for n in near:
        panel.link_row(near_text(n), "camera", n.camera.id)
    playing = next(iter(directory.nearest(place[0], place[1], 1, online_only=True)), None)
    return _play(panel, directory, playing.camera.id if playing else near[0].camera.id, clock, parent)


def render_camera(panel: Panel, directory: CameraDirectory | None, camera_id: str,
                  clock: Callable[[], datetime], parent: QWidget) -> CameraPlayer | None:
    camera = directory.camera(camera_id) if directory is not None else None
    if directory is None or camera is None:
        panel.line(_tr("摄像头目录中没有此摄像头"))
        return None
    panel.line(f"{camera.name} · {camera.id}")
    return _play(panel, directory, camera_id, clock, parent)


def _play(panel: Panel, directory: CameraDirectory, camera_id: str, clock: Callable[[], datetime],
          parent: QWidget) -> CameraPlayer:
    player = CameraPlayer(directory, parent)
    view = CameraView(player, clock)
    view.setMinimumHeight(VIEW_HEIGHT_PX)
    panel.widget(view)
    player.play(camera_id)
    return player
