"""Nothing lost: an output never overwrites an input, a failed run never empties an older output, and a
video that was not written completely is an error, not "wrote N frames" (issue #16, data loss)."""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap

import pytest

from vidlite.cli import main
from vidlite.outputs import OutputError, OutputFile, check_outputs, partial_path


def digest(path) -> str:
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def run_cli(capsys, *argv):
    code = main(list(map(str, argv)))
    out, err = capsys.readouterr()
    return code, out, err


# --- the module ----------------------------------------------------------------------------------

def test_same_file_by_name_symlink_and_hard_link(tmp_path):
    video = tmp_path / "a.mp4"
    video.write_bytes(b"video")
    (tmp_path / "sub").mkdir()
    os.link(video, tmp_path / "hard.srt")
    (tmp_path / "soft.srt").symlink_to(video)
    for out in (video, tmp_path / "sub" / ".." / "a.mp4", tmp_path / "hard.srt", tmp_path / "soft.srt"):
        with pytest.raises(OutputError, match="is the same file as the video"):
            check_outputs({"--srt": out}, {"video": video})
    with pytest.raises(OutputError, match="is the same file as the video"):  # its partial name is the input
        check_outputs({"-o": tmp_path / "r.mp4"}, {"video": partial_path(tmp_path / "r.mp4")})
    with pytest.raises(OutputError, match="--srt and --vtt are the same file"):
        check_outputs({"--srt": tmp_path / "x.srt", "--vtt": tmp_path / "x.srt"}, {"video": video})
    check_outputs({"--srt": tmp_path / "x.srt"}, {"video": video, "camera": "0", "url": "rtsp://cam/1"})


def test_folders_are_checked_first(tmp_path):
    with pytest.raises(OutputError, match="does not exist"):
        check_outputs({"--json": tmp_path / "no" / "x.json"})
    with pytest.raises(OutputError, match="is a folder"):
        check_outputs({"--json": tmp_path})


def test_output_file_replaces_only_on_success(tmp_path):
    target = tmp_path / "figures.json"
    target.write_text("old")
    with pytest.raises(ValueError):
        with OutputFile(target) as out:
            out.open("w").write("half")
            raise ValueError("the run failed")
    assert target.read_text() == "old" and not partial_path(target).exists()
    with OutputFile(target) as out:
        out.open("w").write("new")
        assert target.read_text() == "old"  # until the run ends
    assert target.read_text() == "new" and not partial_path(target).exists()
    new = OutputFile(tmp_path / "n.db")
    new.open("w").write("x")
    new.path.write_text("theirs")  # another process took the name meanwhile
    with pytest.raises(FileExistsError):  # exclusive: never replaces what has the name
        new.commit(exclusive=True)
    assert new.path.read_text() == "theirs" and not new.partial.exists()


# --- the CLI: an output that is an input is refused before anything is opened ---------------------

@pytest.fixture
def video(tmp_path, video_dir):
    v = tmp_path / "a.mp4"
    v.write_bytes((video_dir / "good.mp4").read_bytes())
    return v


@pytest.mark.parametrize("argv", [
    ["caption", "{v}", "--srt", "{v}"],
    ["caption", "{v}", "--vtt", "{v}"],
    ["caption", "{v}", "--json", "{v}"],
    ["caption", "{v}", "--srt", "{d}/link.srt"],  # a hard link to the video
    ["caption", "{v}", "--srt", "{d}/x.srt", "--vtt", "{d}/x.srt"],
    ["understand", "{v}", "--jsonl", "{v}"],
    ["restore", "{v}", "-o", "{v}"],
    ["restore", "{d}/b.mp4", "-o", "{v}", "--reference", "{v}"],
    ["index", "{v}", "{v}"],
    ["bench", "{d}/bundle", "--video", "{v}", "--json", "{v}"],
    ["export", "caption", "--checkpoint", "{v}", "--json", "{v}"],
])
def test_an_output_that_is_an_input_is_refused(capsys, tmp_path, video, argv):
    os.link(video, tmp_path / "link.srt")
    (tmp_path / "b.mp4").write_bytes(video.read_bytes())
    (tmp_path / "bundle").mkdir()
    before = digest(video)
    code, out, err = run_cli(capsys, *[a.format(v=video, d=tmp_path) for a in argv])
    assert code == 2 and err.startswith("vidlite: error: ") and err.count("\n") == 1, err
    assert "the same file" in err and "Traceback" not in err
    assert digest(video) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.mp4", "b.mp4", "bundle", "link.srt"]


# --- a run that fails leaves older outputs as they were -------------------------------------------

def old_outputs(tmp_path, *names):
    paths = [tmp_path / n for n in names]
    for p in paths:
        p.write_text(f"the previous run's {p.name}\n")
    return {p: p.read_text() for p in paths}


@pytest.mark.parametrize("family, outputs", [
    ("caption", ["--srt", "old.srt", "--vtt", "old.vtt", "--json", "old.json"]),
    ("understand", ["--jsonl", "old.jsonl"]),
])
def test_an_unreachable_source_leaves_old_outputs(capsys, family_bundle, tmp_path, family, outputs):
    old = old_outputs(tmp_path, *outputs[1::2])
    argv = [a if a.startswith("--") else tmp_path / a for a in outputs]
    code, _, err = run_cli(capsys, family, 61, "--bundle", family_bundle(family), *argv)  # no camera 61
    assert code == 1 and "camera 61 could not be opened" in err
    assert {p: p.read_text() for p in old} == old
    assert sorted(tmp_path.iterdir()) == sorted(old)  # no partial file left behind


# --- restore checks what it wrote ---------------------------------------------------------------

FULL_DISK = textwrap.dedent("""
    import resource, signal, sys
    # Files may not grow past 8000 bytes: a write beyond fails (EFBIG) as it would on a full disk (ENOSPC).
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (8000, 8000))
    from vidlite.cli import main
    sys.exit(main(sys.argv[1:]))
""")


def test_restore_onto_a_full_disk_fails_and_keeps_no_broken_file(family_bundle, tmp_path, video):
    out = tmp_path / "restored.mp4"
    old = old_outputs(tmp_path, "restored.mp4")
    p = subprocess.run([sys.executable, "-c", FULL_DISK, "restore", str(video), "-o", str(out), "--bundle",
                        str(family_bundle("generate"))], capture_output=True, text=True, timeout=300)
    assert p.returncode == 1, p.stdout + p.stderr
    assert "wrote" not in p.stdout and "cannot write video" in p.stderr and "disk full" in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1 and "Traceback" not in p.stderr  # (a progress bar's blank line)
    assert out.read_text() == old[out]  # the older file is untouched
    assert not partial_path(out).exists()  # and the broken one is gone


def test_restore_replaces_the_old_video_with_a_checked_one(capsys, family_bundle, tmp_path, video):
    import cv2

    out = tmp_path / "restored.mp4"
    old_outputs(tmp_path, "restored.mp4")
    code, stdout, _ = run_cli(capsys, "restore", video, "-o", out, "--bundle", family_bundle("generate"))
    cap = cv2.VideoCapture(str(out))
    frames = 0
    while cap.grab():
        frames += 1
    assert code == 0 and frames == 90 and f"wrote 90 frames to {out}" in " ".join(stdout.split())
    assert not partial_path(out).exists()
