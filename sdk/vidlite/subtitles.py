"""Subtitle output: SRT, WebVTT and JSON, written cue by cue so a live file grows as the video plays.

    with open_subtitles({"srt": "out.srt", "vtt": "out.vtt"}) as subs:
        for seg in segments:              # Segment(start, end, text), in time order
            subs.add(seg)                 # consecutive duplicates are merged before a cue is written

A cue is written (and flushed) once the caption after it differs, because until then it may still be
extended; ``close()`` writes the last one. While the run lasts, each file grows under its partial name
(``out.partial.srt``: that is the one to follow live) and is renamed to ``out.srt`` when the run ends,
so a run that fails leaves an older ``out.srt`` as it was (``vidlite.outputs``). ``parse_srt`` /
``parse_vtt`` read such files back and reject any that break the formats' rules.
"""
from __future__ import annotations

import json
import os
import re
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from vidlite.outputs import OutputFile, kept_after


@dataclass
class Segment:
    start: float  # seconds
    end: float  # seconds
    text: str
    score: float | None = None  # decoder confidence (mean token probability), when known

    def as_dict(self) -> dict:
        d = asdict(self)
        d["start"], d["end"] = round(self.start, 3), round(self.end, 3)
        if self.score is None:
            d.pop("score")
        else:
            d["score"] = round(self.score, 4)
        return d


def _clock(seconds: float, sep: str) -> str:
    ms = max(0, int(round(seconds * 1000)))
    h, ms = divmod(ms, 3_600_000)
    m, ms = divmod(ms, 60_000)
    s, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def srt_time(seconds: float) -> str:
    """``HH:MM:SS,mmm``"""
    return _clock(seconds, ",")


def vtt_time(seconds: float) -> str:
    """``HH:MM:SS.mmm``"""
    return _clock(seconds, ".")


def _lines(text: str) -> str:
    # A blank line ends a cue in both formats, so cue text must not contain one.
    return "\n".join(line.strip() for line in text.strip().splitlines() if line.strip())


def srt_text(text: str) -> str:
    return _lines(text)


def vtt_text(text: str) -> str:
    """WebVTT cue text: '&' and '<' are markup, and '-->' is forbidden inside a cue (it starts a timing line)."""
    return _lines(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class _FileWriter:
    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self._out = OutputFile(path, live=True)  # valid after every cue: a stopped run keeps its cues
        self._f = self._out.open("wb")
        self.count = 0
        self._begin()

    def _begin(self) -> None:
        pass

    def _emit(self, text: str) -> None:
        self._f.write(text.encode("utf-8"))
        self._f.flush()  # a player (or `tail -f`) sees each cue as soon as it is final

    def close(self, exc_type=None) -> None:
        """Move the file into place, or drop it if the run failed with ``exc_type``."""
        if not self._f.closed:
            self._out.close(exc_type)


class SrtWriter(_FileWriter):
    """SubRip: numbered cues from 1, ``HH:MM:SS,mmm --> HH:MM:SS,mmm``, text, blank line."""

    def write(self, seg: Segment) -> None:
        self.count += 1
        self._emit(f"{self.count}\n{srt_time(seg.start)} --> {srt_time(seg.end)}\n{srt_text(seg.text)}\n\n")


class VttWriter(_FileWriter):
    """WebVTT: ``WEBVTT`` header, ``HH:MM:SS.mmm --> HH:MM:SS.mmm``, escaped text, blank line."""

    def _begin(self) -> None:
        self._emit("WEBVTT\n\n")

    def write(self, seg: Segment) -> None:
        self.count += 1
        self._emit(f"{vtt_time(seg.start)} --> {vtt_time(seg.end)}\n{vtt_text(seg.text)}\n\n")


class JsonWriter(_FileWriter):
    """A JSON array of segments, kept valid after every cue (the closing bracket is rewritten each time)."""

    def _begin(self) -> None:
        self._emit("[\n]\n")

    def write(self, seg: Segment) -> None:
        self._f.seek(-3, os.SEEK_END)  # back over "\n]\n"
        self.count += 1
        self._emit((",\n" if self.count > 1 else "") + "  " + json.dumps(seg.as_dict()) + "\n]\n")


WRITERS = {"srt": SrtWriter, "vtt": VttWriter, "json": JsonWriter}


class DuplicateMerger:
    """Merges consecutive items with the same text into one that spans them all and keeps the fields
    (score, and e.g. an on-screen text's box) of the best-scoring part. Items are dataclasses with
    ``start``, ``end``, ``text`` and ``score`` (None: unscored): subtitle segments, the Understander's
    on-screen text. ``add`` returns the item that became final (the previous one, once the text
    changed), ``flush`` the last one — also where a run is broken by a window without text."""

    def __init__(self):
        self._pending = None

    def add(self, seg):
        p = self._pending
        if p is not None and p.text == seg.text:
            end = max(p.end, seg.end)
            if seg.score is not None and (p.score is None or seg.score > p.score):
                self._pending = replace(seg, start=p.start, end=end)
            else:
                p.end = end
            return None
        self._pending = replace(seg)  # a copy: merging never changes the caller's item
        return p

    def flush(self):
        p, self._pending = self._pending, None
        return p


def merge_duplicates(segments) -> list[Segment]:
    merger, out = DuplicateMerger(), []
    for seg in segments:
        if (done := merger.add(seg)) is not None:
            out.append(done)
    if (last := merger.flush()) is not None:
        out.append(last)
    return out


class SubtitleSink:
    """Several subtitle files fed from one segment stream, with duplicates merged once for all."""

    def __init__(self, outputs: dict[str, str | os.PathLike]):
        unknown = set(outputs) - set(WRITERS)
        if unknown:
            raise ValueError(f"unknown subtitle format(s) {sorted(unknown)}; known: {sorted(WRITERS)}")
        self._merger = DuplicateMerger()
        self.segments: list[Segment] = []
        self.writers = []
        try:
            for fmt, path in outputs.items():
                if path:
                    self.writers.append(WRITERS[fmt](path))
        except Exception as e:
            self.close(type(e))  # drop the files already opened: their old versions stay
            raise

    def add(self, seg: Segment) -> None:
        if not _lines(seg.text):  # a cue without text is no subtitle, and no SRT/WebVTT reader's cue (tests/fuzz)
            return
        if (done := self._merger.add(seg)) is not None:
            self._write(done)

    def _write(self, seg: Segment) -> None:
        self.segments.append(seg)
        for w in self.writers:
            w.write(seg)

    def close(self, exc_type=None) -> list[Segment]:
        """Write the last cue and move the files into place; ``exc_type``: the run failed with it (the
        files are dropped and older ones stay) unless it was a stop (Ctrl-C), which keeps what was written."""
        if kept_after(exc_type, live=True) and (last := self._merger.flush()) is not None:
            self._write(last)
        for w in self.writers:
            w.close(exc_type)
        return self.segments

    def __enter__(self) -> "SubtitleSink":
        return self

    def __exit__(self, exc_type, *exc) -> None:
        self.close(exc_type)


def open_subtitles(outputs: dict[str, str | os.PathLike]) -> SubtitleSink:
    return SubtitleSink(outputs)


# --- reading back, strictly --------------------------------------------------------------------

_SRT_CUE = re.compile(r"^(\d+)\n(\d{2}:\d{2}:\d{2},\d{3}) --> (\d{2}:\d{2}:\d{2},\d{3})\n((?:.+\n)+)$")
_VTT_CUE = re.compile(r"^(\d{2}:\d{2}:\d{2}\.\d{3}) --> (\d{2}:\d{2}:\d{2}\.\d{3})\n((?:.+\n)+)$")
_STAMP = re.compile(r"^(\d{2}):([0-5]\d):([0-5]\d)[,.](\d{3})$")


def parse_time(stamp: str) -> float:
    """``HH:MM:SS,mmm`` (SRT) or ``HH:MM:SS.mmm`` (WebVTT) → seconds."""
    m = _STAMP.match(stamp)
    if not m:
        raise ValueError(f"not a subtitle timestamp (HH:MM:SS,mmm or HH:MM:SS.mmm): {stamp!r}")
    h, mi, sec, ms = map(int, m.groups())
    return h * 3600 + mi * 60 + sec + ms / 1000


def _check_timing(cues: list[tuple], start: int, fmt: str) -> None:
    """Every cue ends after it starts, and starts no earlier than the cue before it."""
    prev = 0.0
    for n, cue in enumerate(cues, 1):
        t0, t1 = parse_time(cue[start]), parse_time(cue[start + 1])
        if t1 <= t0:
            raise ValueError(f"{fmt} cue {n}: ends ({cue[start + 1]}) before it starts ({cue[start]})")
        if t0 < prev:
            raise ValueError(f"{fmt} cue {n}: starts ({cue[start]}) before the cue before it")
        prev = t0


def _blocks(text: str, fmt: str) -> list[str]:
    if text and not text.endswith("\n\n"):
        raise ValueError(f"{fmt}: the file must end with a blank line after its last cue")
    return [b + "\n" for b in text.split("\n\n")[:-1]]


def parse_srt(text: str) -> list[tuple[int, str, str, str]]:
    """Strict SubRip → [(number, start, end, text)]: cues numbered from 1, ``HH:MM:SS,mmm -->
    HH:MM:SS,mmm``, non-empty text, one blank line after each, times in order. Raises ValueError."""
    cues = []
    for block in _blocks(text, "SRT"):
        m = _SRT_CUE.match(block)
        if not m:
            raise ValueError(f"SRT: not a cue (number, timing line, text): {block!r}")
        cues.append((int(m[1]), m[2], m[3], m[4].rstrip("\n")))
        if cues[-1][0] != len(cues):
            raise ValueError(f"SRT: cue {len(cues)} is numbered {cues[-1][0]}")
    _check_timing(cues, 1, "SRT")
    return cues


def parse_vtt(text: str) -> list[tuple[str, str, str]]:
    """Strict WebVTT (as written here) → [(start, end, text)]: ``WEBVTT`` header line, ``HH:MM:SS.mmm
    --> HH:MM:SS.mmm``, non-empty text without ``-->``, times in order. Raises ValueError."""
    if not text.startswith("WEBVTT\n\n"):
        raise ValueError("WebVTT: the file must start with a 'WEBVTT' line and a blank line")
    cues = []
    for block in _blocks(text[len("WEBVTT\n\n"):], "WebVTT"):
        m = _VTT_CUE.match(block)
        if not m:
            raise ValueError(f"WebVTT: not a cue (timing line, text): {block!r}")
        if "-->" in m[3]:
            raise ValueError(f"WebVTT: cue text must not contain '-->': {m[3]!r}")
        cues.append((m[1], m[2], m[3].rstrip("\n")))
    _check_timing(cues, 0, "WebVTT")
    return cues
