"""The simulated city's cameras: where they stand, what they are called, which are on, how sharp they stream.

Placed once per profile and seed (stable ids `CAM001` …), spread over the city's grids. A few cameras stream
640×360 at 25 fps (a wall's typical preview); the rest 320×180 at 10 fps, so dozens stay cheap on two cores.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import datetime

from commandcenter.domain.cameras import PROTOCOLS, Camera, CameraStatus

from .territory import City

DEFAULT_COUNT = 36
DEFAULT_HD = 4
SPOTS = ("路口", "广场", "学校门口", "农贸市场", "河道", "停车场", "公交站", "桥头", "小区东门", "社区服务中心")


@dataclass(frozen=True)
class StreamShape:
    width: int
    height: int
    fps: int


HD = StreamShape(640, 360, 25)
SD = StreamShape(320, 180, 10)


@dataclass
class SimCamera:
    camera: Camera
    shape: StreamShape

    @property
    def id(self) -> str:
        return self.camera.id

    @property
    def online(self) -> bool:
        return self.camera.status is CameraStatus.ONLINE

    def set_online(self, online: bool, at: datetime) -> bool:
        """Switch the camera on or off; True if that changed anything (its version then grows)."""
        status = CameraStatus.ONLINE if online else CameraStatus.OFFLINE
        if status is self.camera.status:
            return False
        self.camera = replace(self.camera, status=status, version=self.camera.version + 1, updated_at=at)
        return True


def place_cameras(city: City, seed: int, at: datetime, count: int = DEFAULT_COUNT,
                  hd: int = DEFAULT_HD) -> list[SimCamera]:
    """`count` cameras over evenly spaced grids of the city, each at a random point of its grid."""
    rng = random.Random(f"cameras:{seed}")
    grids = city.grids
    step = max(1, len(grids) // max(1, count))
    cameras: list[SimCamera] = []
    for i in range(min(count, len(grids))):
        grid = grids[(i * step + rng.randrange(step)) % len(grids)]
        lon0, lat0, lon1, lat1 = grid.rect
        lon, lat = rng.uniform(lon0, lon1), rng.uniform(lat0, lat1)
        community = city.nodes.get(grid.community_id)
        place = community.name if community is not None else grid.node.name
        camera = Camera(id=f"CAM{i + 1:03d}", name=f"{place}{rng.choice(SPOTS)}", lon=round(lon, 6),
                        lat=round(lat, 6), grid_id=grid.node.id, status=CameraStatus.ONLINE, protocols=PROTOCOLS,
                        version=1, updated_at=at)
        cameras.append(SimCamera(camera, HD if i < hd else SD))
    return cameras
