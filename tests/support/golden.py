"""Comparing a rendered picture with a committed golden one, with a tolerance.

A pixel differs when one of its channels moves by more than `pixel_threshold` (0-255); the picture matches when
at most `max_fraction` of its pixels differ and the sizes agree. On a mismatch the actual picture and a diff
(differing pixels in magenta over a faded copy of the golden) are written beside each other in `out_dir`, and
the assertion names them. `scripts/update-goldens` (pytest `--update-goldens`) rewrites the goldens instead.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6.QtGui import QImage

GOLDEN_DIR = Path(__file__).resolve().parents[1] / "ui" / "golden"


@dataclass(frozen=True)
class Tolerance:
    pixel_threshold: int = 40          # a channel step anti-aliasing or font hinting may take on another machine
    max_fraction: float = 0.005        # of all pixels


def _rgba(image: QImage) -> np.ndarray:
    image = image.convertToFormat(QImage.Format.Format_RGBA8888)
    height, width, stride = image.height(), image.width(), image.bytesPerLine()
    raw = np.frombuffer(image.constBits(), dtype=np.uint8, count=height * stride)
    return raw.reshape(height, stride)[:, : width * 4].reshape(height, width, 4).copy()


def _image(pixels: np.ndarray) -> QImage:
    height, width, _ = pixels.shape
    data = np.ascontiguousarray(pixels)
    return QImage(data.data, width, height, width * 4, QImage.Format.Format_RGBA8888).copy()


def differing(actual: QImage, golden: QImage, tolerance: Tolerance) -> np.ndarray:
    """A boolean mask of the pixels that differ beyond the threshold (same-sized pictures)."""
    delta = np.abs(_rgba(actual).astype(np.int16) - _rgba(golden).astype(np.int16))
    return (delta.max(axis=2) > tolerance.pixel_threshold)


def diff_image(golden: QImage, mask: np.ndarray) -> QImage:
    faded = (_rgba(golden).astype(np.uint16) // 4 + 160).clip(0, 255).astype(np.uint8)
    faded[..., 3] = 255
    faded[mask] = (255, 0, 255, 255)
    return _image(faded)


def check_golden(actual: QImage, name: str, *, out_dir: Path, update: bool,
                 tolerance: Tolerance = Tolerance()) -> None:
    """Compare `actual` with tests/ui/golden/<name>.png (or write it there when `update`)."""
    path = GOLDEN_DIR / f"{name}.png"
    if update:
        GOLDEN_DIR.mkdir(parents=True, exist_ok=True)
        assert actual.save(str(path)), f"could not write {path}"
        return
    assert path.exists(), f"no golden {path}: run scripts/update-goldens, look at the picture, commit it"
    golden = QImage(str(path))
    out_dir.mkdir(parents=True, exist_ok=True)
    actual_path, diff_path = out_dir / f"{name}.actual.png", out_dir / f"{name}.diff.png"
    if actual.size() != golden.size():
        actual.save(str(actual_path))
        raise AssertionError(f"{name}: {actual.width()}x{actual.height()} against the golden's "
                             f"{golden.width()}x{golden.height()}; actual in {actual_path}")
    mask = differing(actual, golden, tolerance)
    fraction = float(mask.mean())
    if fraction > tolerance.max_fraction:
        actual.save(str(actual_path))
        diff_image(golden, mask).save(str(diff_path))
        raise AssertionError(f"{name}: {fraction:.2%} of pixels differ (at most {tolerance.max_fraction:.2%}); "
                             f"actual {actual_path}, diff {diff_path}; if the change is meant, run "
                             f"scripts/update-goldens and look at the new picture")
