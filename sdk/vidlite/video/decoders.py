"""Decoders: the producer side of a video stream, one per kind of source, all built on OpenCV+FFmpeg.

Each yields sampled :class:`Frame` objects and keeps :class:`SourceStats`; the reader runs it on its
own thread. Non-sampled frames are only grabbed (demuxed and decoded), never converted to BGR.
"""
from __future__ import annotations

import os
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")  # FFmpeg's own log is noise for users: we count and report
import cv2  # noqa: E402

from vidlite.video.clock import MonotonicPts  # noqa: E402
from vidlite.video.errors import VideoSourceError  # noqa: E402
from vidlite.video.frame import Frame, SourceStats  # noqa: E402

VIDEO_SUFFIXES = (".mp4", ".m4v", ".mov", ".avi", ".mkv", ".webm", ".ts", ".mpg", ".mpeg", ".wmv", ".flv")
MAX_PROBLEMS = 100  # problem lines kept per stream; the counters keep counting beyond


@contextmanager
def quiet_opencv():
    """OpenCV logs a warning per backend it probes while opening; our error says what went wrong."""
    level = cv2.utils.logging.getLogLevel()
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_ERROR)
    try:
        yield
    finally:
        cv2.utils.logging.setLogLevel(level)


def _note(stats: SourceStats, line: str) -> None:
    if len(stats.problems) < MAX_PROBLEMS:
        stats.problems.append(line)


def _mp4_truncation_hint(path: Path) -> str | None:
    """Why FFmpeg refused an MP4/MOV: walks the top-level boxes; no 'moov' means the file was cut short."""
    try:
        with open(path, "rb") as f:
            head = f.read(12)
            if head[4:8] != b"ftyp":
                return None
            size, f_size, pos = int.from_bytes(head[:4], "big"), path.stat().st_size, 0
            while pos + 8 <= f_size:
                f.seek(pos)
                box = f.read(16)
                size, kind = int.from_bytes(box[:4], "big"), box[4:8]
                if kind == b"moov":
                    return None
                if size == 1:
                    size = int.from_bytes(box[8:16], "big")
                if size < 8:
                    break
                pos += size
        return "it looks truncated: an MP4 without its 'moov' index (cut short, or still being written)"
    except OSError:
        return None


def open_file_capture(path: Path, threads: int | None = None) -> cv2.VideoCapture:
    if not path.exists():
        raise VideoSourceError(f"video file not found: {path}")
    if path.is_dir():
        raise VideoSourceError(f"{path} is a folder, not a video file")
    if not os.access(path, os.R_OK):
        raise VideoSourceError(f"cannot read {path}: permission denied")
    if path.stat().st_size == 0:
        raise VideoSourceError(f"{path} is empty (0 bytes)")
    params = [cv2.CAP_PROP_N_THREADS, int(threads)] if threads else []
    with quiet_opencv():
        cap = cv2.VideoCapture(str(path), cv2.CAP_FFMPEG, params)
    if not cap.isOpened():
        hint = _mp4_truncation_hint(path) or "it is corrupt, truncated or not a video format FFmpeg knows"
        raise VideoSourceError(f"cannot open video {path}: {hint}")
    return cap


class FileDecoder:
    """A video file. Never drops: the reader blocks instead. Undecodable frames are skipped and counted.

    ``threads``: FFmpeg decoding threads (None: FFmpeg's default, one per core). On a small CPU
    shared with inference, 1 often gives the best end-to-end throughput.
    """

    live = False

    def __init__(self, path: str | os.PathLike, threads: int | None = None):
        self.name = str(path)
        self.path = Path(path)
        self._cap = open_file_capture(self.path, threads)
        self.fps = self._cap.get(cv2.CAP_PROP_FPS) or 0.0
        self.frame_count = int(self._cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0)  # a hint: containers lie
        self.size = (int(self._cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(self._cap.get(cv2.CAP_PROP_FRAME_HEIGHT)))

    def frames(self, sampler, stats: SourceStats) -> Iterator[Frame]:
        cap, clamp = self._cap, MonotonicPts(stats)
        period = 1.0 / self.fps if self.fps > 0 else None
        # Undecodable packets: FFmpeg consumes one per failed grab, so grabbing again moves past the
        # damage (seeking would restart at the previous keyframe and hit it again). A failing stretch
        # longer than this, or reaching the container's frame count, is the end of the stream.
        max_gap = max(30, int(2 * (self.fps or 15)))
        i, failed, prev_pts = 0, 0, None
        while True:
            t0 = time.perf_counter()
            ok = cap.grab()
            if not ok:
                stats.decode_s += time.perf_counter() - t0
                if self.frame_count <= 0 or i + failed >= self.frame_count or failed >= max_gap:
                    if failed >= max_gap:
                        _note(stats, f"stream ended at frame {i} of {self.frame_count} (truncated or damaged)")
                    return
                failed += 1
                continue
            stats.decoded += 1
            pts = cap.get(cv2.CAP_PROP_POS_MSEC) / 1000.0
            if period is None or pts < 0:
                pts = i * (period or 0.0)
            # Frames the decoder skipped (failed grabs, or dropped silently) show up as a jump in time.
            skipped = round((pts - prev_pts) / period) - 1 if (prev_pts is not None and period) else failed
            skipped = max(skipped, failed)
            if skipped > 0:
                stats.corrupt += skipped
                _note(stats, f"frames {i}-{i + skipped - 1} undecodable, skipped (resumed at t={pts:.3f}s)")
                i += skipped
            prev_pts, failed = pts, 0
            pts = clamp(pts)
            index = i
            i += 1
            if not sampler.want(pts):
                stats.decode_s += time.perf_counter() - t0
                continue
            ok, image = cap.retrieve()
            stats.decode_s += time.perf_counter() - t0
            if not ok or image is None:
                stats.corrupt += 1
                _note(stats, f"frame {index}: decoded but could not be converted, skipped")
                continue
            if sampler.keep(image):
                yield Frame(image, pts, index)

    def close(self) -> None:
        self._cap.release()


class CaptureDecoder:
    """A camera index or a stream URL (RTSP, HTTP, ...): live by default.

    When the stream stops delivering, it is reopened with exponential backoff (``reconnect_delay``
    doubling up to ``max_delay``), at most ``max_reconnects`` times in a row; timestamps continue
    across a reconnect instead of restarting.
    """

    def __init__(self, target: int | str, *, live: bool = True, max_reconnects: int = 5,
                 reconnect_delay: float = 0.5, max_delay: float = 8.0):
        self.target, self.live = target, live
        self.name = f"camera {target}" if isinstance(target, int) else str(target)
        self.max_reconnects, self.reconnect_delay, self.max_delay = max_reconnects, reconnect_delay, max_delay
        self._cap = self._open()
        if self._cap is None:
            if isinstance(target, int):
                raise VideoSourceError(f"camera {target} could not be opened: no such device, or it is in use")
            raise VideoSourceError(f"cannot open stream {target}: unreachable, refused, or not a video stream")
        self.fps = self._cap.get(cv2.CAP_PROP_FPS) or 0.0
        self.frame_count = 0
        self.size = (int(self._cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(self._cap.get(cv2.CAP_PROP_FRAME_HEIGHT)))
        self._stop = False

    def _open(self) -> cv2.VideoCapture | None:
        api = cv2.CAP_ANY if isinstance(self.target, int) else cv2.CAP_FFMPEG
        with quiet_opencv():
            cap = cv2.VideoCapture(self.target, api)
        if cap.isOpened():
            return cap
        cap.release()
        return None

    def _reconnect(self, stats: SourceStats) -> bool:
        self._cap.release()
        delay = self.reconnect_delay
        for attempt in range(1, self.max_reconnects + 1):
            if self._stop:
                return False
            time.sleep(delay)
            cap = self._open()
            if cap is not None:
                self._cap = cap
                stats.reconnects += 1
                _note(stats, f"{self.name}: reconnected (attempt {attempt})")
                return True
            delay = min(delay * 2, self.max_delay)
        return False

    def frames(self, sampler, stats: SourceStats) -> Iterator[Frame]:
        clamp = MonotonicPts(stats)
        t_open, i = time.monotonic(), 0
        offset, last_pts, fresh = 0.0, 0.0, True
        while not self._stop:
            t0 = time.perf_counter()
            if not self._cap.grab():
                stats.decode_s += time.perf_counter() - t0
                if not self.live:
                    return
                _note(stats, f"{self.name}: stream stopped at t={last_pts:.3f}s, reconnecting")
                if not self._reconnect(stats):
                    if self._stop:
                        return
                    raise VideoSourceError(
                        f"lost {self.name} and {self.max_reconnects} reconnect attempts failed")
                fresh = True
                continue
            stats.decoded += 1
            stream_pts = self._cap.get(cv2.CAP_PROP_POS_MSEC) / 1000.0
            if stream_pts <= 0 and i > 0:
                stream_pts = time.monotonic() - t_open  # devices without presentation times: wall clock
            if fresh and i > 0:
                # After a reconnect the stream's clock may restart: continue from where we were.
                offset = last_pts + (1.0 / self.fps if self.fps else 0.0) - stream_pts
            fresh = False
            pts = clamp(stream_pts + offset)
            last_pts, index = pts, i
            i += 1
            if not sampler.want(pts):
                stats.decode_s += time.perf_counter() - t0
                continue
            ok, image = self._cap.retrieve()
            stats.decode_s += time.perf_counter() - t0
            if not ok or image is None:
                stats.corrupt += 1
                _note(stats, f"{self.name} frame {index}: could not be converted, skipped")
                continue
            if sampler.keep(image):
                yield Frame(image, pts, index)

    def stop(self) -> None:
        self._stop = True

    def close(self) -> None:
        self._stop = True
        self._cap.release()
