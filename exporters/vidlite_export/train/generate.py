"""Generate (restoration GAN) recipe.

A shared warm start trains the U-Net generator with L1 only; then two branches continue for the same
number of steps from that point: the GAN (L1 + a conditional PatchGAN least-squares adversarial term)
and the reconstruction-only ablation (L1 alone). Both are judged on held-out damaged/clean pairs; the
GAN branch is what gets saved.
"""
from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from vidlite import metrics
from vidlite_export.models import generate as gen_model
from vidlite_export.models.video_input import clip_to_tensor, tensor_to_bgr
from vidlite_export.train.common import (
    WEIGHTS_ROOT, Recipe, Timer, TrainOptions, cosine_lr, count_params, progress, quality_bars,
    save_weights, seed_everything, write_card,
)
from vidlite_export.world import DAMAGE_KINDS, SPLIT_SEEDS, WorldConfig, damage, generate_clip

FAMILY = "generate"
WORLD = WorldConfig()
K = 3  # frames in
DEFAULTS = {"pool": 1500, "batch": 16, "crop": 32, "lr": 3e-3, "warm_fraction": 0.7, "adv_weight": 0.05,
            "d_lr": 2e-4}
BARS = {"psnr_gain_db": (">=", 6.0), "edge_sharpness_gain_vs_ablation": (">", 0.0)}


def damaged_pair(split: str, index: int) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """(clean frames, damaged frames, damage kinds) of one clip: every kind with probability 1/2, at
    least one, reproducible from (split, index)."""
    clip = generate_clip(SPLIT_SEEDS[split], index, WORLD)
    rng = np.random.default_rng([SPLIT_SEEDS[split], index, 7])
    pick = rng.uniform(size=len(DAMAGE_KINDS)) < 0.5
    if not pick.any():
        pick[rng.integers(len(DAMAGE_KINDS))] = True
    kinds = tuple(k for k, p in zip(DAMAGE_KINDS, pick) if p)
    return clip.frames, damage(clip.frames, kinds, rng), kinds


def stack_window(frames: np.ndarray, centre: int) -> np.ndarray:
    """Model input (3·K, H, W) for the centre frame from uint8 BGR (T, H, W, 3) (edges repeat)."""
    idx = np.clip(np.arange(centre - K // 2, centre + K // 2 + 1), 0, len(frames) - 1)
    x = clip_to_tensor(frames[idx])  # (K, 3, H, W)
    return x.reshape(-1, *x.shape[-2:])


def _pool(n: int, show: bool):
    clean = np.empty((n, WORLD.frames, WORLD.height, WORLD.width, 3), np.uint8)
    dmg = np.empty_like(clean)
    for i in progress(range(n), show, "generate: generating damaged/clean pairs"):
        clean[i], dmg[i], _ = damaged_pair("train", i)
    return clean, dmg


def _batch(clean, dmg, size: int, crop: int, rng: np.random.Generator):
    idx = rng.integers(0, len(clean), size)
    centres = rng.integers(1, WORLD.frames - 1, size)
    ys = rng.integers(0, WORLD.height - crop + 1, size)
    xs = rng.integers(0, WORLD.width - crop + 1, size)
    x = np.stack([stack_window(dmg[i, :, y:y + crop, x0:x0 + crop], c) for i, c, y, x0 in zip(idx, centres, ys, xs)])
    y = np.stack([clip_to_tensor(clean[i, c, yy:yy + crop, x0:x0 + crop]) for i, c, yy, x0 in zip(idx, centres, ys, xs)])
    flip = rng.uniform(size=size) < 0.5
    x[flip] = x[flip][..., ::-1]
    y[flip] = y[flip][..., ::-1]
    return torch.from_numpy(np.ascontiguousarray(x)), torch.from_numpy(np.ascontiguousarray(y))


def evaluate_generator(generator: torch.nn.Module, n_clips: int, show: bool = False) -> dict:
    """PSNR/SSIM of damaged vs restored centre frames against the clean ones, and sharpness of the
    restoration relative to the clean frame — overall (mean gradient magnitude, which leftover noise
    also raises) and on the clean frame's edges (what blur lowers) — on held-out test pairs."""
    generator.eval()
    rows = []
    centre = WORLD.frames // 2
    for start in progress(range(0, n_clips, 50), show, "generate: evaluating", total=-(-n_clips // 50)):
        pairs = [damaged_pair("test", i) for i in range(start, min(n_clips, start + 50))]
        x = torch.from_numpy(np.stack([stack_window(d, centre) for _, d, _ in pairs]))
        with torch.no_grad():
            out = tensor_to_bgr(generator(x).numpy())
        for (clean, dmg, kinds), o in zip(pairs, out):
            ref, bad = clean[centre], dmg[centre]
            rows.append((metrics.psnr(bad, ref), metrics.psnr(o, ref), metrics.ssim(bad, ref), metrics.ssim(o, ref),
                         metrics.sharpness(o) / max(metrics.sharpness(ref), 1e-6),
                         metrics.edge_sharpness_ratio(o, ref)))
    a = np.array(rows)
    a[~np.isfinite(a)] = 100.0  # identical frames (no visible damage): cap PSNR instead of averaging inf
    return {"psnr_damaged_db": float(a[:, 0].mean()), "psnr_restored_db": float(a[:, 1].mean()),
            "psnr_gain_db": float((a[:, 1] - a[:, 0]).mean()), "ssim_damaged": float(a[:, 2].mean()),
            "ssim_restored": float(a[:, 3].mean()), "sharpness_ratio": float(a[:, 4].mean()),
            "edge_sharpness_ratio": float(a[:, 5].mean())}


def _l1_steps(g, opt, data, steps, start, total, knobs, rng, bar, tag, losses):
    for step in range(start, start + steps):
        for grp in opt.param_groups:
            grp["lr"] = cosine_lr(step, total, knobs["lr"], 50)
        x, y = _batch(*data, knobs["batch"], knobs["crop"], rng)
        loss = F.l1_loss(g(x), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        losses.append(loss.item())
        _tick(bar, step, tag, losses)


def _gan_steps(g, d, opt_g, opt_d, data, steps, start, total, knobs, rng, bar, losses):
    centre = slice(3 * (K // 2), 3 * (K // 2) + 3)
    for step in range(start, start + steps):
        for grp in opt_g.param_groups:
            grp["lr"] = cosine_lr(step, total, knobs["lr"], 50)
        x, y = _batch(*data, knobs["batch"], knobs["crop"], rng)
        fake = g(x)
        # Least-squares GAN (Mao et al. 2017): stable with a small patch discriminator.
        d_loss = 0.5 * ((d(x[:, centre], y) - 1) ** 2).mean() + 0.5 * (d(x[:, centre], fake.detach()) ** 2).mean()
        opt_d.zero_grad(set_to_none=True)
        d_loss.backward()
        opt_d.step()
        l1 = F.l1_loss(fake, y)
        adv = ((d(x[:, centre], fake) - 1) ** 2).mean()
        loss = l1 + knobs["adv_weight"] * adv
        opt_g.zero_grad(set_to_none=True)
        loss.backward()
        opt_g.step()
        losses.append(l1.item())
        _tick(bar, step, "gan", losses)


def _tick(bar, step, tag, losses):
    if bar is not None:
        bar.update(1)
        if step % 20 == 0:
            bar.set_postfix(phase=tag, l1=f"{np.mean(losses[-20:]):.4f}")


def train(opts: TrainOptions) -> dict:
    knobs = {**DEFAULTS, **opts.extra}
    steps = opts.steps or RECIPE.default_steps
    warm = int(round(steps * knobs["warm_fraction"]))
    branch = steps - warm
    out = Path(opts.out or WEIGHTS_ROOT / FAMILY)
    seed_everything(opts.seed, opts.threads)
    rng = np.random.default_rng(opts.seed)
    with Timer() as t_data:
        # never generate more clips than training can look at
        data = _pool(min(knobs["pool"], (warm + 2 * branch) * knobs["batch"]), opts.progress)
    cfg = gen_model.GenerateConfig(frames=K)
    model = gen_model.GenerateModel(cfg)
    g = model.generator
    bar = None
    if opts.progress:
        from tqdm.auto import tqdm
        bar = tqdm(total=warm + 2 * branch, desc="generate: training", dynamic_ncols=True, mininterval=1.0)
    losses: list[float] = []
    with Timer() as t_train:
        opt = torch.optim.Adam(g.parameters(), lr=knobs["lr"])
        _l1_steps(g, opt, data, warm, 0, steps, knobs, rng, bar, "warm-up L1", losses)
        # Both branches start from the same generator, optimiser state and data stream position.
        ablation = copy.deepcopy(g)
        opt_ab = torch.optim.Adam(ablation.parameters(), lr=knobs["lr"])
        opt_ab.load_state_dict(opt.state_dict())
        ab_rng = copy.deepcopy(rng)
        abl_losses: list[float] = []
        _l1_steps(ablation, opt_ab, data, branch, warm, steps, knobs, ab_rng, bar, "ablation L1", abl_losses)
        d = gen_model.PatchDiscriminator()
        opt_d = torch.optim.Adam(d.parameters(), lr=knobs["d_lr"], betas=(0.5, 0.999))
        gan_losses: list[float] = []
        _gan_steps(g, d, opt, opt_d, data, branch, warm, steps, knobs, rng, bar, gan_losses)
    if bar is not None:
        bar.close()
    with Timer() as t_eval:
        m = evaluate_generator(g, opts.test_clips, show=opts.progress)
        m_ab = evaluate_generator(ablation, opts.test_clips, show=opts.progress)
    # The adversarial term's job: crisper true edges than the L1-only ablation, which regresses to the mean.
    m["edge_sharpness_gain_vs_ablation"] = m["edge_sharpness_ratio"] - m_ab["edge_sharpness_ratio"]
    save_weights(model, out / "model.safetensors", cfg.to_dict(), FAMILY)
    card = {
        "family": FAMILY,
        "summary": f"U-Net generator ({K} damaged frames in, clean centre frame out, residual, fully "
                   "convolutional: H and W multiples of 8) trained with L1 plus a conditional PatchGAN "
                   "least-squares adversarial term; the ablation is the same schedule with L1 only, branched "
                   "from the same warm start. Damage: noise, blur, JPEG blocks, scratches / missing regions "
                   "(each with probability 1/2, at least one per clip).",
        "metrics": m,
        "ablation_reconstruction_only": m_ab,
        "also_reported": ["ablation_reconstruction_only"],
        "quality_bars": quality_bars(m, BARS),
        "parameters": {"generator": count_params(g), "discriminator (training only)": count_params(d)},
        "config": cfg.to_dict(),
        "training": {"steps_warm_l1": warm, "steps_per_branch": branch, "batch": knobs["batch"],
                     "crop": knobs["crop"], "lr": knobs["lr"], "adv_weight": knobs["adv_weight"],
                     "pool_clips": len(data[0]), "seed": opts.seed, "threads": opts.threads,
                     "final_l1_gan": float(np.mean(gan_losses[-50:] or [np.nan])),
                     "final_l1_ablation": float(np.mean(abl_losses[-50:] or [np.nan])),
                     "data_seconds": round(t_data.seconds, 1), "train_seconds": round(t_train.seconds, 1),
                     "eval_seconds": round(t_eval.seconds, 1)},
        "data": {"train": f"world split 'train' (seed {SPLIT_SEEDS['train']}), first {len(data[0])} clips, "
                          f"random {knobs['crop']}px crops of {K}-frame windows",
                 "test": f"world split 'test' (seed {SPLIT_SEEDS['test']}, never trained on), first "
                         f"{opts.test_clips} clips, full {WORLD.width}x{WORLD.height} centre frame"},
    }
    write_card(out, card)
    return card


def evaluate(weights_dir: Path, n_clips: int) -> dict:
    return evaluate_generator(gen_model.load(weights_dir).generator, n_clips)


RECIPE = Recipe(family=FAMILY, train=train, evaluate=evaluate, default_steps=2000)
