"""Errors of video sources: each names the source and what went wrong."""
from __future__ import annotations

from vidlite.errors import VidliteError


class VideoSourceError(VidliteError):
    """A video source cannot be opened or read (missing file, not a video, no such camera, ...)."""


class VideoWriteError(VidliteError):
    """A video file could not be written completely (full disk, write error); nothing broken is left behind."""
