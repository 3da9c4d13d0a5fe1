"""commandcenter: video-wall software for city command centers (一屏管全城).

Layers, imported one way only (import-linter enforces it): domain ← config ← feeds | store ← services ← ui ← cli;
sim (the simulated city backend) depends on domain only.
"""
__version__ = "0.1.0"
