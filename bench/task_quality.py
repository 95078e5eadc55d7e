"""Task quality through the runtime on held-out world videos, int8 beside fp32 (issue #7's first bar).

    nice .venv/bin/python bench/task_quality.py [--backends openvino,onnxruntime] [--precisions int8,fp32] [--auto]
        [--understand-clips 150] [--retrieve-clips 500] [--caption-clips 300] [--bundle-dir DIR] [--json out.json]

1. Bundles: the understand, retrieve and caption reference bundles, exported with
   ``vidlite_export.export`` from the committed weights (fp32 + int8 artifacts in the formats of
   ``--backends``) into ``--bundle-dir`` (default ``.cache/task-quality/<family>-<weights sha>-<formats>``,
   reused while the weights are unchanged), or reused as found there.
   ``--backends`` defaults to the first two backends this machine's platform profile ranks that
   are installed (what ``vidlite devices --explain BUNDLE`` shows); the automatic selection is printed too.
2. Videos: held-out clips of the procedural world (split ``test``, seed never trained on — the
   clips the training cards score) written to real mp4 files: one video for events/OCR (256² with
   held-out phrases, as the understand card), one for captions, and a retrieval gallery of
   ``--clips-per-video`` clips per video.
3. Runs, per backend × precision (a pin such as ``openvino:int8``; ``--auto`` adds the SDK's own
   choice, no pin): ``vidlite.Understander``,
   ``vidlite.Retriever`` + its index file, ``vidlite.Captioner`` writing SRT and WebVTT — the public
   pipelines as a user calls them.
4. Scores, with the cards' own definitions (``vidlite.metrics``, ``vidlite_export.world.heldout``):
   timed event macro-F1 (±0.5 s), OCR character accuracy, sentiment accuracy on the held-out phrase
   list (the card's bar) and on what OCR read; text→video recall@1/@5 (a hit is a clip the query
   describes) for grammar, paraphrase and outside-grammar queries; BLEU-4 and subject accuracy of
   the captions read back from the SRT file, which (and the WebVTT one) must pass the strict parsers.
   Each figure is printed beside its bar (issue #4) and the fp32 PyTorch figure from the training
   card (500 clips), with the int8-vs-fp32 relative difference through the same runtime.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
FAMILIES = ("understand", "retrieve", "caption")
FORMAT_OF = {"onnxruntime": "onnx", "openvino": "openvino", "litert": "tflite", "coreml": "coreml"}


# --- bundles -------------------------------------------------------------------------------------

def default_backends() -> list[str]:
    """The first two installed backends this machine's profile ranks (the SDK's own preference)."""
    from vidlite.backends import get_backend
    from vidlite.device import probe
    from vidlite.runtime import match_profile

    device = probe(deep=False)
    ranked = dict.fromkeys(c["backend"] for c in match_profile(device).candidates)
    return [b for b in ranked if get_backend(b).unavailable(device) is None][:2]


def weights_sha(family: str) -> str:
    from vidlite.bundle import sha256_file
    from vidlite_export.models import weights_dir

    return sha256_file(weights_dir(family) / "model.safetensors")


def ensure_bundle(family: str, bundle_dir: Path | None, formats: list[str], console) -> tuple[Path, dict]:
    """The family's bundle: reused when present, else exported (fp32 + int8 for ``formats``)."""
    from vidlite_export import export

    sha = weights_sha(family)
    if bundle_dir is not None:
        out = bundle_dir / family
    else:
        out = REPO / ".cache" / "task-quality" / f"{family}-{sha[:12]}-{'-'.join(formats)}"
    info = {"path": str(out), "weights_sha256": sha}
    if (out / "manifest.json").is_file():
        info["exported"] = False
        return out, info
    t0 = time.perf_counter()
    with console.status(f"exporting {family} ({', '.join(formats)} × fp32, int8)") as status:
        report = export(family, formats=formats, precisions=["fp32", "int8"], out=out, keep_failed=True,
                        progress=lambda what, i, n: status.update(f"exporting {family} [{i}/{n}] {what}"))
    console.print(report.table())
    info.update(exported=True, export_seconds=round(time.perf_counter() - t0, 1),
                failed=[f"{r.component} {r.format}/{r.precision}: {r.reason}" for r in report.failures])
    return out, info


def auto_selection(bundle: Path) -> dict[str, str]:
    """What ``vidlite.load`` picks with no pin: component → backend@device format/precision."""
    from vidlite.runtime import load

    with load(bundle) as model:
        return {name: model[name].candidate.label() for name in model.components}


# --- held-out videos -----------------------------------------------------------------------------

def world_video(path: Path, clips) -> dict:
    """Clips back to back in one mp4; window i of a pipeline at the clips' rate is clip i."""
    from vidlite_export.world import write_video

    write_video(path, np.concatenate([c.frames for c in clips]), clips[0].fps)
    return {"path": path, "clips": clips, "clip_s": len(clips[0].frames) / clips[0].fps}


def make_videos(tmp: Path, clips: dict[str, int], per_video: int) -> dict:
    """Held-out test clips of each family's world (the card's) as mp4 files, for the families in ``clips``."""
    from vidlite_export.train.caption import WORLD as CAPTION_WORLD
    from vidlite_export.train.retrieve import WORLD as RETRIEVE_WORLD
    from vidlite_export.train.understand import TEST_WORLD
    from vidlite_export.world import SPLIT_SEEDS, generate_clip

    def test_clips(n, cfg):
        return [generate_clip(SPLIT_SEEDS["test"], i, cfg) for i in range(n)]

    out = {}
    if "understand" in clips:
        out["understand"] = world_video(tmp / "understand.mp4", test_clips(clips["understand"], TEST_WORLD))
    if "retrieve" in clips:
        gallery = test_clips(clips["retrieve"], RETRIEVE_WORLD)
        out["retrieve"] = {"clips": gallery, "videos": [world_video(tmp / f"gallery{j:04d}.mp4", gallery[j:j + per_video])
                                                        for j in range(0, len(gallery), per_video)]}
    if "caption" in clips:
        out["caption"] = world_video(tmp / "caption.mp4", test_clips(clips["caption"], CAPTION_WORLD))
    return out


def clip_at(t: float, clip_s: float) -> int:
    return int(np.floor(t / clip_s + 1e-6))


# --- one pipeline run each, scored like the cards ------------------------------------------------

def run_understand(bundle, pin, data, runtime, workdir) -> dict:
    from vidlite import Understander, metrics
    from vidlite.metrics import timed_event_f1
    from vidlite_export.train.understand import TIME_TOLERANCE_S
    from vidlite_export.world import HELDOUT_PHRASES
    from vidlite_export.world.heldout import event_truth, normalize_text

    clips, clip_s = data["clips"], data["clip_s"]
    with Understander.from_bundle(bundle, backend=pin, **runtime) as u:
        res = u.understand(data["path"], jsonl=workdir / "understand.jsonl")
        heldout = [s for s, _ in u.text_sentiment([t for t, _ in HELDOUT_PHRASES])]
        labels = u.event_labels
    preds = [[] for _ in clips]
    for e in res.events:  # video times → (clip, time within the clip), as the card's events are
        i = min(clip_at(e.start, clip_s), len(clips) - 1)
        preds[i].append((e.label, e.start - i * clip_s, e.end - i * clip_s))
    timed = timed_event_f1([event_truth(c) for c in clips], preds, labels, TIME_TOLERANCE_S)
    read, overlays, moods, mood_truth = [], [], [], []
    for i, c in enumerate(clips):
        if c.overlay is None:
            continue
        mid = (i + 0.5) * clip_s  # the card reads the clip's middle frame; the runtime one per window
        item = next((t for t in res.texts if t.start <= mid < t.end), None)
        read.append(normalize_text(item.text) if item else "")
        moods.append(item.sentiment if item else None)
        overlays.append(c.overlay.text)
        mood_truth.append(c.overlay.sentiment)
    rep = res.report
    m = {"event_macro_f1_timed": timed.pop("macro"), **{f"event_{k}": v for k, v in timed.items()},
         "sentiment_accuracy_heldout_phrases": metrics.exact_match(heldout, [s for _, s in HELDOUT_PHRASES]),
         "overlays_read": len(overlays)}
    if overlays:
        m["ocr_char_accuracy"] = metrics.char_accuracy(read, overlays)
        # what the pipeline said of the text it read (no text read: wrong; the card still guesses)
        m["sentiment_accuracy_end_to_end"] = float(np.mean([p == t for p, t in zip(moods, mood_truth)]))
    return {"metrics": m, "backends": rep.backends, "wall_s": rep.wall_s, "stage_s": rep.stage_s,
            "windows": rep.items, "expected_windows": len(clips)}


def run_retrieve(bundle, pin, data, runtime, workdir, ks=(1, 5)) -> dict:
    from vidlite import Retriever, metrics
    from vidlite_export.world.heldout import retrieval_queries

    index = workdir / "gallery.vlindex"
    index.unlink(missing_ok=True)
    offset, t0, windows = {}, time.perf_counter(), 0
    queries = retrieval_queries(data["clips"])

    def hit_clip(h) -> int:
        first, clip_s = offset[h.video]
        return first + clip_at(h.start, clip_s)

    with Retriever.from_bundle(bundle, backend=pin, index=index, **runtime) as r:
        start = 0
        for part in data["videos"]:
            rep = r.add(part["path"])
            windows += rep.items
            offset[str(Path(part["path"]).resolve())] = (start, part["clip_s"])
            start += len(part["clips"])
        index_s = time.perf_counter() - t0
        # Queries embedded in batches (the text tower takes any batch; ``search`` = ``index.search`` of
        # ``embed_text([q])[0]``), so a 500-clip gallery's 1500 queries fit the time budget; single
        # ``search`` calls are timed on a few and must rank the same.
        t1 = time.perf_counter()
        ranked = {}
        for name, (texts, _) in queries.items():
            emb = np.concatenate([r.embed_text(texts[i:i + 64]) for i in range(0, len(texts), 64)])
            ranked[name] = [[hit_clip(h) for h in r.index.search(e, k=max(ks))] for e in emb]
        search_s = time.perf_counter() - t1
        probe = queries["grammar"][0][:SINGLE_QUERIES]
        t2 = time.perf_counter()
        single = [[hit_clip(h) for h in r.search(q, k=max(ks))] for q in probe]
        single_ms = 1000 * (time.perf_counter() - t2) / len(probe)
        mismatched = sum(a[:1] != b[:1] for a, b in zip(single, ranked["grammar"]))
        backends = rep.backends
    m = {"gallery_clips": len(data["clips"])}
    for name, (_, relevant) in queries.items():
        for k in ks:
            m[f"{name}_recall@{k}"] = metrics.ranked_recall_at_k(ranked[name], k, relevant)
            m[f"{name}_recall@{k}_strict"] = metrics.ranked_recall_at_k(ranked[name], k)
    n_queries = sum(len(t) for t, _ in queries.values())
    return {"metrics": m, "backends": backends, "wall_s": index_s + search_s, "index_s": index_s,
            "batched_ms_per_query": 1000 * search_s / n_queries, "single_search_ms": single_ms,
            "single_search_top1_mismatches": mismatched, "windows": windows, "expected_windows": len(data["clips"])}


def run_caption(bundle, pin, data, runtime, workdir) -> dict:
    from vidlite import Captioner, metrics
    from vidlite.subtitles import parse_srt, parse_time, parse_vtt
    from vidlite_export.world.heldout import CAPTION_ATTRIBUTES, caption_attributes, subject_right

    clips, clip_s = data["clips"], data["clip_s"]
    srt, vtt = workdir / "captions.srt", workdir / "captions.vtt"
    with Captioner.from_bundle(bundle, backend=pin, **runtime) as cap:
        res = cap.caption(data["path"], srt=srt, vtt=vtt)
    problems = []
    try:  # the files as a player reads them; the captions are scored from the SRT
        cues = parse_srt(srt.read_text(encoding="utf-8"))
        vtt_cues = parse_vtt(vtt.read_text(encoding="utf-8"))
        if [c[1:] for c in cues] != [(a.replace(".", ","), b.replace(".", ","), t) for a, b, t in vtt_cues]:
            problems.append("the SRT and WebVTT cues differ")
    except ValueError as e:
        problems.append(str(e))
        cues = []
    if len(cues) != len(res.segments):
        problems.append(f"{len(cues)} SRT cues for {len(res.segments)} caption segments")
    spans = [(parse_time(a), parse_time(b), text) for _, a, b, text in cues]
    hyps = [next((text for a, b, text in spans if a <= (i + 0.5) * clip_s < b), "") for i in range(len(clips))]
    right = [caption_attributes(h, c) for h, c in zip(hyps, clips)]
    m = {"bleu4": metrics.bleu4(hyps, [c.captions for c in clips]),
         "subject_accuracy": float(np.mean([subject_right(r) for r in right])),
         **{f"{k}_accuracy": float(np.mean([r[k] for r in right])) for k in CAPTION_ATTRIBUTES},
         "subtitles_valid": float(not problems), "cues": len(cues)}
    rep = res.report
    return {"metrics": m, "backends": rep.backends, "wall_s": rep.wall_s, "stage_s": rep.stage_s,
            "windows": rep.items, "expected_windows": len(clips), "subtitle_problems": problems}


SINGLE_QUERIES = 20
RUNS = {"understand": run_understand, "retrieve": run_retrieve, "caption": run_caption}


# --- report --------------------------------------------------------------------------------------

def bars() -> dict[str, dict]:
    """Issue #4's bars, as the recipes state them; plus the subtitle files' validity (issue #7)."""
    from vidlite_export.train import caption, retrieve, understand

    return {"understand": dict(understand.BARS), "retrieve": dict(retrieve.BARS),
            "caption": {**caption.BARS, "subtitles_valid": (">=", 1.0)}}


SHOWN = {  # metrics printed (the JSON has them all): the barred ones first
    "understand": ("event_macro_f1_timed", "ocr_char_accuracy", "sentiment_accuracy_heldout_phrases",
                   "sentiment_accuracy_end_to_end"),
    "retrieve": ("grammar_recall@1", "grammar_recall@5", "outside_recall@5", "paraphrase_recall@1",
                 "paraphrase_recall@5", "outside_recall@1"),
    "caption": ("bleu4", "subject_accuracy", "subtitles_valid"),
}


def card_metrics(family: str) -> dict:
    from vidlite_export.models import weights_dir

    card = json.loads((weights_dir(family) / "card.json").read_text())
    return card["metrics"]


def passes(value, bar) -> bool:
    op, target = bar
    return value >= target if op == ">=" else value <= target


def table(results: dict, pins: list[str], clips: dict, all_bars: dict):
    """One column per pin, pass/fail on all but fp32 ones, and int8-vs-fp32 after each backend's pair."""
    from rich.table import Table

    t = Table(title="task quality through the runtime on held-out world videos")
    for col in ("family", "clips", "metric", "bar", "card: fp32 torch, 500"):
        t.add_column(col, no_wrap=True)
    columns = []  # a pin, or (int8 pin, fp32 pin) for a relative difference
    for b in dict.fromkeys(p.split(":")[0] for p in pins):
        mine = [p for p in pins if p.split(":")[0] == b]
        columns += mine
        if f"{b}:int8" in mine and f"{b}:fp32" in mine:
            columns.append((f"{b}:int8", f"{b}:fp32"))
    for c in columns:
        t.add_column(f"{c[0].split(':')[0]} int8 vs fp32" if isinstance(c, tuple) else
                     ("auto (SDK's choice)" if c == "auto" else c.replace(":", " ")), justify="right")
    for fam in FAMILIES:
        if fam not in results:
            continue
        card = card_metrics(fam)
        for name in SHOWN[fam]:
            bar = all_bars[fam].get(name)
            value = lambda pin: results[fam].get(pin, {}).get("metrics", {}).get(name)  # noqa: E731
            row = [fam, str(clips[fam]), name, f"{bar[0]} {bar[1]:g}" if bar else "—",
                   f"{card[name]:.3f}" if name in card else "—"]
            for c in columns:
                if isinstance(c, tuple):
                    a, f = value(c[0]), value(c[1])
                    row.append(f"{100 * (a - f) / abs(f):+.1f}%" if a is not None and f else "—")
                elif (v := value(c)) is None:
                    row.append("error" if "error" in results[fam].get(c, {}) else "—")
                elif bar and not c.endswith(":fp32"):
                    row.append(f"{v:.3f} " + ("[green]pass[/green]" if passes(v, bar) else "[red]FAIL[/red]"))
                else:
                    row.append(f"{v:.3f}")
            t.add_row(*row)
        t.add_section()
    return t


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--backends", help="comma-separated (default: the two best-ranked installed ones here)")
    ap.add_argument("--precisions", default="int8,fp32")
    ap.add_argument("--auto", action="store_true", help="also run with no pin (the SDK's own choice per component)")
    ap.add_argument("--families", default=",".join(FAMILIES))
    ap.add_argument("--understand-clips", type=int, default=150)
    ap.add_argument("--retrieve-clips", type=int, default=500, help="gallery size (the card's is 500)")
    ap.add_argument("--caption-clips", type=int, default=300)
    ap.add_argument("--clips-per-video", type=int, default=50, help="gallery clips per indexed video")
    ap.add_argument("--bundle-dir", type=Path, help="use/export <dir>/<family> (default: a cache keyed by the weights)")
    ap.add_argument("--threads", type=int, default=1, help="inference threads per component")
    ap.add_argument("--decode-threads", type=int, default=1)
    ap.add_argument("--keep", type=Path, help="keep the videos, subtitles and index here")
    ap.add_argument("--json", help="write the figures here")
    args = ap.parse_args(argv)

    from rich.console import Console

    console = Console(width=250)  # read as a log file too: no wrapping
    t_start = time.perf_counter()
    families = [f for f in args.families.split(",") if f]
    unknown = set(families) - set(FAMILIES)
    if unknown:
        raise SystemExit(f"--families: unknown {sorted(unknown)}; expected some of {', '.join(FAMILIES)}")
    backends = args.backends.split(",") if args.backends else default_backends()
    pins = [f"{b}:{p}" for b in backends for p in args.precisions.split(",")] + (["auto"] if args.auto else [])
    formats = list(dict.fromkeys(FORMAT_OF[b] for b in backends))
    runtime = {"threads": args.threads, "decode_threads": args.decode_threads}
    console.print(f"backends {backends} (formats {formats}); pins {pins}; load average {os.getloadavg()}")

    bundles, bundle_info = {}, {}
    for fam in families:
        bundles[fam], bundle_info[fam] = ensure_bundle(fam, args.bundle_dir, formats, console)
        bundle_info[fam]["auto_selection"] = auto_selection(bundles[fam])
        console.print(f"{fam}: {bundles[fam]}; automatic selection here: {bundle_info[fam]['auto_selection']}")

    work = args.keep or Path(tempfile.mkdtemp(prefix="vidlite-task-quality-"))
    work.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    clips = {fam: getattr(args, f"{fam}_clips") for fam in families}
    for fam, n in clips.items():
        if n < 1:
            raise SystemExit(f"--{fam}-clips must be >= 1, got {n}")
    videos = make_videos(work, clips, args.clips_per_video)
    videos_s = time.perf_counter() - t0
    results: dict[str, dict] = {fam: {} for fam in families}
    for fam in families:
        for pin in pins:
            d = work / fam / pin.replace(":", "-")
            d.mkdir(parents=True, exist_ok=True)
            with console.status(f"{fam} through {pin}"):
                try:
                    r = RUNS[fam](bundles[fam], pin, videos[fam], runtime, d)
                except Exception as e:  # e.g. a pin the bundle cannot honour: report it, run the rest
                    r = {"error": f"{type(e).__name__}: {e}"}
            results[fam][pin] = r
            summary = r.get("error") or {k: round(v, 4) for k, v in r["metrics"].items()
                                         if k in SHOWN[fam] or k == "cues"}
            if r.get("windows") != r.get("expected_windows") and "error" not in r:
                summary = f"{summary} — {r['windows']} windows for {r['expected_windows']} clips!"
            console.print(f"  {fam} {pin}: {summary}  [{r.get('wall_s', 0):.1f} s; {r.get('backends', '')}]")

    all_bars = bars()
    console.print(table(results, pins, clips, all_bars))
    loadavg = os.getloadavg()
    total = time.perf_counter() - t_start
    console.print(f"total {total:.0f} s (videos {videos_s:.0f} s); load average {loadavg}; {os.cpu_count()} cores; "
                  f"threads {args.threads}, decode threads {args.decode_threads}")
    verdict = {}
    for fam in families:
        for pin in pins:
            if not pin.endswith(":fp32") and "metrics" in results[fam][pin]:
                m = results[fam][pin]["metrics"]
                verdict[f"{fam} {pin}"] = {k: {"bar": list(b), "value": m.get(k), "pass": k in m and passes(m[k], b)}
                                           for k, b in all_bars[fam].items()}
    if args.json:
        figures = {"command": " ".join(sys.argv), "load_average_end": loadavg, "cpu_count": os.cpu_count(),
                   "seconds": round(total, 1), "pins": pins, "clips": clips, "bundles": bundle_info,
                   "card_fp32_pytorch": {fam: card_metrics(fam) for fam in families},
                   "bars": {fam: {k: list(v) for k, v in all_bars[fam].items()} for fam in families},
                   "vs_bars": verdict, "results": results, "workdir": str(work)}
        Path(args.json).write_text(json.dumps(figures, indent=2, default=str))
        console.print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
