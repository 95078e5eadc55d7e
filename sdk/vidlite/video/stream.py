"""Video streams a pipeline iterates: decoded ahead on a thread (files, cameras, URLs) or pushed by an app."""
from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Iterator

import numpy as np

from vidlite.video.clock import MonotonicPts
from vidlite.video.decoders import CaptureDecoder, FileDecoder
from vidlite.video.errors import VideoSourceError
from vidlite.video.frame import Frame, SourceStats
from vidlite.video.frame_queue import Closed, FrameQueue
from vidlite.video.sampling import make_sampler


class VideoStream:
    """Iterate sampled frames of a decoder, decoded ahead on a thread into a bounded queue.

    ``stats`` is live while iterating; ``close()`` (or leaving the ``with`` block) stops the thread.
    """

    def __init__(self, decoder, *, sampler, queue_size: int):
        self.decoder, self.name, self.live = decoder, decoder.name, decoder.live
        self.fps, self.size, self.frame_count = decoder.fps, decoder.size, decoder.frame_count
        self.stats = SourceStats()
        self._queue = FrameQueue(queue_size, "drop_oldest" if decoder.live else "block", self.stats)
        self._sampler = sampler
        self._thread = threading.Thread(target=self._produce, name=f"vidlite-decode:{self.name}", daemon=True)
        self._started = False

    def _produce(self) -> None:
        error = None
        try:
            for frame in self.decoder.frames(self._sampler, self.stats):
                self._queue.put(frame)
        except Closed:
            pass
        except BaseException as e:  # handed to the consumer, which re-raises it in its own thread
            error = e
        finally:
            self._queue.end(error)

    def __iter__(self) -> Iterator[Frame]:
        if not self._started:
            self._started = True
            self._thread.start()
        while (frame := self._queue.get()) is not None:
            yield frame

    def close(self) -> None:
        stop = getattr(self.decoder, "stop", None)
        if stop:
            stop()
        self._queue.close()
        if self._started:
            self._thread.join()
        self.decoder.close()

    def __enter__(self) -> "VideoStream":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class PushSource:
    """Frames an app pushes one at a time with their timestamps (its own camera stack, a network feed).

    ``push`` never blocks: it is a live source, so when the consumer falls behind the oldest queued
    frame is dropped and counted. Timestamps that go backwards are clamped and counted. Call
    ``end()`` when there are no more frames; iterating then finishes after the queued ones.
    """

    live = True

    def __init__(self, *, name: str = "push", fps: float = 0.0, sample_fps: float | None = None,
                 scene_threshold: float | None = None, queue_size: int = 4):
        self.name, self.fps, self.size, self.frame_count = name, fps, None, 0
        self.stats = SourceStats()
        self._queue = FrameQueue(queue_size, "drop_oldest", self.stats)
        self._sampler = make_sampler(sample_fps, scene_threshold)
        self._clamp = MonotonicPts(self.stats)
        self._index = 0
        self._lock = threading.Lock()

    def push(self, image: np.ndarray, pts: float) -> bool:
        """Offer one BGR frame (H, W, 3) uint8 at ``pts`` seconds; False when the sampler skipped it."""
        if not isinstance(image, np.ndarray) or image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
            got = f"{type(image).__name__} {getattr(image, 'dtype', '')} {getattr(image, 'shape', '')}"
            raise ValueError(f"push(image=...) expects a BGR uint8 array of shape (H, W, 3), got {got}")
        with self._lock:
            self.stats.decoded += 1
            if self.size is None:
                self.size = (image.shape[1], image.shape[0])
            pts = self._clamp(float(pts))
            index, self._index = self._index, self._index + 1
            if not (self._sampler.want(pts) and self._sampler.keep(image)):
                return False
            try:
                self._queue.put(Frame(image, pts, index))
            except Closed:
                return False
            return True

    def end(self) -> None:
        self._queue.end()

    def __iter__(self) -> Iterator[Frame]:
        while (frame := self._queue.get()) is not None:
            yield frame

    def close(self) -> None:
        self._queue.close()
        self._queue.end()

    def __enter__(self) -> "PushSource":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _is_url(s: str) -> bool:
    return "://" in s


def open_video(source, *, sample_fps: float | None = None, scene_threshold: float | None = None,
               queue_size: int | None = None, live: bool | None = None, decode_threads: int | None = None,
               **capture_options) -> VideoStream:
    """Open a video file, a camera (int index, or a string of digits), or a stream URL.

    ``sample_fps`` keeps about that many frames per second; ``scene_threshold`` keeps only frames that
    changed (see :class:`~vidlite.video.sampling.SceneChangeSampler`). Files are read completely and
    never drop; cameras and URLs are live (``live=False`` reads a URL like a file). ``decode_threads``
    sets FFmpeg's threads for files (None: its default). ``capture_options``
    go to :class:`~vidlite.video.decoders.CaptureDecoder` (``max_reconnects``, ``reconnect_delay``...).
    """
    if isinstance(source, PushSource):
        raise TypeError("a PushSource is already a stream: iterate it directly")
    sampler = make_sampler(sample_fps, scene_threshold)
    if isinstance(source, int) or (isinstance(source, str) and source.isdigit()):
        decoder = CaptureDecoder(int(source), live=True if live is None else live, **capture_options)
    elif isinstance(source, str) and _is_url(source):
        decoder = CaptureDecoder(source, live=True if live is None else live, **capture_options)
    elif isinstance(source, (str, os.PathLike)):
        decoder = FileDecoder(Path(source), decode_threads)
    else:
        raise VideoSourceError(f"video source must be a file path, camera index or URL, got {type(source).__name__}")
    return VideoStream(decoder, sampler=sampler, queue_size=queue_size or (4 if decoder.live else 8))


def video_files(paths) -> list[Path]:
    """Expand files and folders (their video files, sorted) into a list of videos; a folder without
    videos is an error that says so."""
    from vidlite.video.decoders import VIDEO_SUFFIXES

    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found = sorted(f for f in p.iterdir() if f.suffix.lower() in VIDEO_SUFFIXES and f.is_file())
            if not found:
                raise VideoSourceError(f"folder {p} contains no video files ({', '.join(VIDEO_SUFFIXES)})")
            out.extend(found)
        elif not p.exists():
            raise VideoSourceError(f"video file not found: {p}")
        else:
            out.append(p)
    return out


def probe_decode(source, **kwargs) -> tuple[int, float]:
    """Frames delivered and seconds taken reading ``source`` with no work per frame (decode-only)."""
    t0, n = time.perf_counter(), 0
    with open_video(source, **kwargs) as stream:
        for _ in stream:
            n += 1
    return n, time.perf_counter() - t0
