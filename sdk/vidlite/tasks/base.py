"""What the four task pipelines share: a bundle of their family opened from their options, closing it
(also as a context manager), ``from_bundle``, and the rate they sample a video at."""
from __future__ import annotations

from typing import ClassVar

from vidlite.tasks.bundles import open_model
from vidlite.tasks.common import RuntimeOptions

# Frames per second fed to a clip model whose options and manifest both leave the rate open.
DEFAULT_SAMPLE_FPS = 4.0


class Task:
    """A pipeline over one bundle of ``FAMILY``, configured by an ``OPTIONS`` instance."""

    FAMILY: ClassVar[str]
    OPTIONS: ClassVar[type[RuntimeOptions]]

    def __init__(self, options: RuntimeOptions | None = None):
        self.options = options or self.OPTIONS()
        self.model = open_model(self.options, self.FAMILY)

    @classmethod
    def from_bundle(cls, bundle=None, **options):
        return cls(cls.OPTIONS(bundle=bundle, **options))

    def sample_rate(self) -> float:
        """The options' ``sample_fps``, else the rate the model was trained at (manifest
        ``preprocess.sample_fps``), else DEFAULT_SAMPLE_FPS."""
        return self.options.sample_fps or self.model.preprocess.sample_fps or DEFAULT_SAMPLE_FPS

    def close(self) -> None:
        self.model.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()
