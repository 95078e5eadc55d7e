"""Video I/O: files, cameras, stream URLs and app-pushed frames, decoded ahead into a bounded queue.

    from vidlite.video import open_video
    with open_video("clip.mp4", sample_fps=2) as stream:
        for frame in stream:          # Frame(image BGR uint8, pts seconds, index)
            ...
    stream.stats                      # decoded / delivered / dropped / corrupt / clamped_pts / reconnects
"""
from vidlite.video.errors import VideoSourceError
from vidlite.video.frame import Frame, SourceStats
from vidlite.video.sampling import EveryFrame, RateSampler, SceneChangeSampler, make_sampler
from vidlite.video.stream import PushSource, VideoStream, open_video, probe_decode, video_files
from vidlite.video.writer import VideoWriter

__all__ = ["Frame", "SourceStats", "VideoSourceError", "open_video", "VideoStream", "PushSource",
           "EveryFrame", "RateSampler", "SceneChangeSampler", "make_sampler", "video_files",
           "probe_decode", "VideoWriter"]
