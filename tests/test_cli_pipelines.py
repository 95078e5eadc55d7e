"""The pipeline commands: clear one-line errors for bad input, and real runs on real bundles."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from vidlite.subtitles import parse_srt, parse_vtt
from vidlite.cli import main


def run_cli(capsys, *argv):
    code = main(list(map(str, argv)))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("argv, message, exit_code", [  # 2: a missing file the command names; 1: a failed run
    (["caption", "{d}/missing.mp4"], "video file not found: {d}/missing.mp4", 2),
    (["bench", "{d}/no-bundle"], "bundle not found: {d}/no-bundle", 2),
    (["caption", "{d}/truncated.mp4"], "looks truncated", 1),
    (["understand", "{d}/junk.mp4"], "cannot open video {d}/junk.mp4", 1),
    (["restore", "{d}/empty", "-o", "{d}/out.mp4"], "is a folder, not a video file", 1),
    (["index", "{d}/lib.vlindex", "{d}/empty"], "contains no video files", 1),
    (["search", "{d}/none.vlindex", "a ball"], "index file not found", 2),
    (["caption", "{d}/good.mp4", "--bundle", "{d}/no-bundle"], "bundle not found", 2),
])
def test_bad_input_is_one_clear_line(capsys, video_dir, argv, message, exit_code):
    code, out, err = run_cli(capsys, *[a.format(d=video_dir) for a in argv])
    assert code == exit_code
    assert err.startswith("vidlite: error: ") and err.count("\n") == 1, err
    assert message.format(d=video_dir) in err and "Traceback" not in err


def test_missing_default_bundle_says_what_to_run(capsys, video_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("VIDLITE_BUNDLES", str(tmp_path))
    code, _, err = run_cli(capsys, "caption", video_dir / "good.mp4")
    assert code == 2 and "run `vidlite demo`" in err and str(tmp_path / "caption") in err


@pytest.mark.parametrize("video, error, exit_code", [("truncated.mp4", "VideoSourceError", 1),
                                                     ("missing.mp4", "UserError", 2)])
def test_verbose_shows_the_trace(video_dir, video, error, exit_code):
    p = subprocess.run([sys.executable, "-m", "vidlite", "--verbose", "caption", str(video_dir / video)],
                       capture_output=True, text=True)
    assert p.returncode == exit_code and "Traceback" in p.stderr and error in p.stderr
    assert p.stderr.splitlines()[-1].startswith("vidlite: error: ")


def test_caption_command_writes_subtitles(capsys, family_bundle, world_video, tmp_path):
    b = family_bundle("caption")
    srt, vtt, js = tmp_path / "a.srt", tmp_path / "a.vtt", tmp_path / "a.json"
    code, out, _ = run_cli(capsys, "caption", world_video["path"], "--bundle", b, "--srt", srt, "--vtt", vtt,
                           "--json", js)
    assert code == 0 and "caption figures" in out and "frames/s" in out
    assert len(parse_srt(srt.read_text())) == len(parse_vtt(vtt.read_text())) == len(json.loads(js.read_text())) > 0
    code, _, err = run_cli(capsys, "caption", 61, "--bundle", b)
    assert code == 1 and "camera 61 could not be opened" in err


def test_bench_command(capsys, family_bundle, world_video, tmp_path):
    code, out, _ = run_cli(capsys, "bench", family_bundle("caption"), "--runs", 2, "--video", world_video["path"],
                           "--json", tmp_path / "b.json")
    figures = json.loads((tmp_path / "b.json").read_text())
    assert code == 0 and set(figures["components"]) == {"encoder", "decoder"}
    assert figures["components"]["encoder"]["mean_ms"] > 0 and figures["pipeline"]["frames_decoded"] > 0


def test_understand_command(capsys, family_bundle, world_video, tmp_path):
    code, out, _ = run_cli(capsys, "understand", world_video["path"], "--bundle", family_bundle("understand"),
                           "--jsonl", tmp_path / "u.jsonl", "--no-ocr")
    assert code == 0 and "events in" in out
    for line in (tmp_path / "u.jsonl").read_text().splitlines():
        assert json.loads(line)["type"] in ("event", "text")


def test_restore_command(capsys, family_bundle, world_video, tmp_path):
    code, out, _ = run_cli(capsys, "restore", world_video["path"], "-o", tmp_path / "r.mp4", "--bundle",
                           family_bundle("generate"), "--reference", world_video["path"])
    assert code == 0 and (tmp_path / "r.mp4").stat().st_size > 0 and "PSNR" in out


def test_index_and_search_commands(capsys, family_bundle, world_video, tmp_path):
    b = family_bundle("retrieve")
    index = tmp_path / "lib.vlindex"
    code, out, _ = run_cli(capsys, "index", index, world_video["path"], "--bundle", b)
    assert code == 0 and "1 videos, 6 clips" in " ".join(out.split())  # rich wraps lines
    code, out, _ = run_cli(capsys, "search", index, world_video["clips"][0].caption, "-k", 3, "--json",
                           "--bundle", b)
    hits = json.loads(out)
    assert code == 0 and len(hits) == 3 and hits[0]["score"] >= hits[-1]["score"]
    assert {"video", "start", "end", "score"} <= set(hits[0])


def test_a_query_of_unknown_tokens_finds_nothing_and_says_why(capsys, family_bundle, world_video, tmp_path):
    """An emoji-only query is one [UNK] token to the text tower: it used to return confident hits."""
    from vidlite.tasks import Retriever

    b = family_bundle("retrieve")
    index = tmp_path / "lib.vlindex"
    assert run_cli(capsys, "index", index, world_video["path"], "--bundle", b)[0] == 0
    before = index.read_bytes()
    for query in ("🎈🎈 🚀", "ｱｲｳ ☃"):
        code, out, err = run_cli(capsys, "search", index, query, "--json", "--bundle", b)
        assert code == 0 and json.loads(out) == [] and "is in the text model's vocabulary" in err
        code, out, _ = run_cli(capsys, "search", index, query, "--bundle", b)
        assert code == 0 and "matches nothing" in " ".join(out.split())
    with Retriever.from_bundle(b, index=index, read_only=True) as r:
        assert r.search("🎈", k=3) == [] and r.query_problem("🎈 ball") is None and r.search("🎈 ball", k=3)
    assert index.read_bytes() == before  # search opened it read-only


def test_search_of_a_damaged_index_is_one_clear_line(capsys, family_bundle, world_video, tmp_path):
    import sqlite3

    b = family_bundle("retrieve")
    index = tmp_path / "lib.vlindex"
    assert run_cli(capsys, "index", index, world_video["path"], "--bundle", b)[0] == 0
    db = sqlite3.connect(index)
    db.execute("UPDATE meta SET value = 'abc' WHERE key = 'dim'")
    db.commit()
    db.close()
    code, _, err = run_cli(capsys, "search", index, "a red ball", "--bundle", b)
    assert code == 1 and err.count("\n") == 1 and "is damaged" in err and "Traceback" not in err


def test_demo_end_to_end_with_exported_bundles(capsys, family_bundle, tmp_path, monkeypatch):
    """`vidlite demo` reusing this session's bundles (the export step itself is the exporter's tests)."""
    bundles = tmp_path / "bundles"
    bundles.mkdir()
    for fam in ("caption", "understand", "generate", "retrieve"):
        (bundles / fam).symlink_to(family_bundle(fam))
    monkeypatch.setenv("VIDLITE_BUNDLES", str(bundles))
    code, out, _ = run_cli(capsys, "demo", "--workdir", tmp_path / "demo", "--clips", 3)
    assert code == 0, out
    work = tmp_path / "demo"
    assert parse_srt((work / "sample.srt").read_text()) and parse_vtt((work / "sample.vtt").read_text())
    assert (work / "small-restored.mp4").stat().st_size > 0 and (work / "library.vlindex").is_file()
    flat = " ".join(out.split())
    for figure in ("reusing", "chosen", "caption", "understand", "restore", "index + search", "PSNR"):
        assert figure in flat


def test_a_damaged_bundle_is_refused_in_one_line_unless_partial_use_is_asked_for(capsys, family_bundle, world_video,
                                                                                 tmp_path):
    import shutil

    from vidlite import Captioner
    from vidlite.errors import NoUsableBackendError

    b = shutil.copytree(family_bundle("caption"), tmp_path / "bundle")
    decoder = b / "decoder" / "decoder.fp32.onnx"
    data = bytearray(decoder.read_bytes())
    data[len(data) // 2] ^= 0xFF
    decoder.write_bytes(bytes(data))
    code, _, err = run_cli(capsys, "caption", world_video["path"], "--bundle", b)
    assert code == 1 and err.count("\n") == 1 and "damaged or altered" in err and "--allow-partial-bundle" in err
    assert decoder.name in err
    # asked for, the intact encoder loads; the decoder has no intact artifact left, and says why
    with pytest.raises(NoUsableBackendError, match="DAMAGED"):
        Captioner.from_bundle(b, allow_partial_bundle=True)


def test_a_thin_tall_video_understands_within_2_gb_of_address_space(family_bundle, tmp_path):
    """A 16 × 4000 video (3 KB) made `understand` use 15.9 GB: the text detector grew its short side to
    736 px with no cap. Run as a device would, under `ulimit -v 2000000`."""
    import resource

    import cv2
    import numpy as np

    path = tmp_path / "tall.mp4"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 10, (16, 4000))
    frame = np.full((4000, 16, 3), 200, np.uint8)
    frame[1000:1040, 2:14] = 0
    for _ in range(20):
        writer.write(frame)
    writer.release()
    limit = 2_000_000 * 1024
    proc = subprocess.run([sys.executable, "-m", "vidlite", "understand", str(path), "--bundle",
                           str(family_bundle("understand"))], capture_output=True, text=True,
                          preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (limit, limit)))
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "frames" in proc.stdout
