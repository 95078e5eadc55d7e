"""Video sources through real FFmpeg decode: files, damage, sampling, errors, URLs and reconnects."""
from __future__ import annotations

import functools
import http.server
import threading
import time

import numpy as np
import pytest

from vidlite.video import VideoSourceError, open_video, video_files


def read_all(source, **kw):
    with open_video(source, **kw) as s:
        frames = list(s)
    return frames, s.stats


def test_file_reads_every_frame_with_presentation_times(video_dir):
    frames, stats = read_all(video_dir / "good.mp4")
    assert len(frames) == 90 and stats.decoded == 90 and stats.delivered == 90
    assert stats.dropped == stats.corrupt == stats.clamped_pts == 0
    pts = np.array([f.pts for f in frames])
    np.testing.assert_allclose(np.diff(pts), 1 / 30, atol=1e-3)
    assert pts[0] == 0.0
    assert [f.index for f in frames] == list(range(90))
    assert frames[0].image.shape == (120, 160, 3) and frames[0].image.dtype == np.uint8


def test_file_never_drops_with_a_slow_consumer(video_dir):
    with open_video(video_dir / "good.mp4", queue_size=2) as s:
        n = 0
        for _ in s:
            if n < 5:
                time.sleep(0.05)  # producer fills the queue and must wait, not drop
            n += 1
    assert n == 90 and s.stats.dropped == 0


def test_rate_sampling_keeps_frames_at_the_requested_rate(video_dir):
    frames, stats = read_all(video_dir / "good.mp4", sample_fps=4)
    pts = [f.pts for f in frames]
    assert len(frames) == 12 and stats.decoded == 90
    np.testing.assert_allclose(np.diff(pts), 0.2667, atol=0.04)  # every 8th frame at 30 fps ≥ 0.25 s


def test_scene_change_sampling_keeps_the_cut(video_dir):
    frames, _ = read_all(video_dir / "cut.mp4", scene_threshold=20, sample_fps=30)
    kept = [f.index for f in frames]
    assert kept[0] == 0
    assert 30 in kept  # the frame where the background changes
    assert len(kept) < 10  # the moving disc alone is not a scene change


def test_corrupt_middle_still_yields_the_good_frames(video_dir):
    frames, stats = read_all(video_dir / "corrupt.mp4")
    assert stats.corrupt >= 1 and stats.problems
    assert len(frames) + stats.corrupt == 90, "every frame is either delivered or counted as skipped"
    assert frames[-1].index == 89 and frames[-1].pts > 2.9, "frames after the damage are still delivered"
    assert all(b.pts >= a.pts for a, b in zip(frames, frames[1:]))


@pytest.mark.parametrize("name, message", [
    ("truncated.mp4", "truncated"),
    ("junk.mp4", "cannot open video"),
    ("missing.mp4", "not found"),
    ("empty", "is a folder"),
])
def test_bad_files_are_clear_errors(video_dir, name, message):
    with pytest.raises(VideoSourceError, match=message) as e:
        open_video(video_dir / name)
    assert name in str(e.value)


def test_unreadable_file(unreadable_file):
    with pytest.raises(VideoSourceError, match="permission denied"):
        open_video(unreadable_file)


def test_empty_file(tmp_path):
    (tmp_path / "zero.mp4").write_bytes(b"")
    with pytest.raises(VideoSourceError, match="empty"):
        open_video(tmp_path / "zero.mp4")


def test_nonexistent_camera():
    with pytest.raises(VideoSourceError, match="camera 57 could not be opened"):
        open_video(57)


def test_unreachable_stream():
    with pytest.raises(VideoSourceError, match="cannot open stream rtsp://127.0.0.1:9/"):
        open_video("rtsp://127.0.0.1:9/nothing")


def test_folder_expansion(video_dir):
    assert {p.name for p in video_files([video_dir])} >= {"good.mp4", "cut.mp4"}
    with pytest.raises(VideoSourceError, match="contains no video files"):
        video_files([video_dir / "empty"])


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a):
        pass


@pytest.fixture
def http_video(video_dir):
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(video_dir)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, f"http://127.0.0.1:{server.server_address[1]}/good.mp4"
    server.shutdown()
    server.server_close()


def test_http_stream_as_a_file(http_video):
    _, url = http_video
    frames, stats = read_all(url, live=False)
    assert len(frames) == 90 and stats.reconnects == 0


def test_live_stream_reconnects_with_backoff_then_gives_up(http_video):
    server, url = http_video
    pts = []
    with open_video(url, max_reconnects=2, reconnect_delay=0.05, queue_size=256) as s:
        with pytest.raises(VideoSourceError, match="reconnect attempts failed"):
            for frame in s:
                pts.append(frame.pts)
                if s.stats.reconnects == 1 and server.socket.fileno() != -1:
                    server.shutdown()  # the stream is now gone for good
                    server.server_close()
    assert s.stats.reconnects == 1
    assert len(pts) > 90, "frames after the reconnect are delivered"
    assert all(b >= a for a, b in zip(pts, pts[1:])), "timestamps continue across the reconnect"
    assert pts[-1] > 3.0
