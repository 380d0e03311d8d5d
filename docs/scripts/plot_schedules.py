"""Draw every epoch-level learning-rate schedule into docs/img/schedules.png.

Run from anywhere: ``python docs/scripts/plot_schedules.py``. The rates are
computed by :func:`schedule_curves` (plain data) and drawn by
:func:`plot_schedule_curves`, so the figure shows exactly what the fit loop
would set.
"""

import math
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # use this checkout's skdl, installed or not

from skdl.training.schedules import get_schedule  # noqa: E402

EPOCHS = 100
BASE_LR = 0.1

# (panel title, spec, options) -- options chosen so each shape is visible in 100 epochs
PANELS = [
    ("constant", "constant", {}),
    ("step", "step", {"drop": 0.5, "step_size": 20}),
    ("exponential", "exponential", {"decay_rate": 0.96}),
    ("inverse_time (time-based)", "inverse_time", {"decay_rate": 0.05}),
    ("cosine", "cosine", {}),
    ("cosine_restarts", "cosine_restarts", {"t_0": 20, "t_mult": 1}),
    ("cosine_restarts", "cosine_restarts", {"t_0": 10, "t_mult": 2}),
    ("warmup_cosine", "warmup_cosine", {"warmup_epochs": 10}),
    ("plateau (on a simulated val_loss)", "plateau", {"patience": 8, "factor": 0.5}),
]


def simulated_val_loss(epochs=EPOCHS, seed=0):
    """A validation loss that improves, then stalls and wobbles."""
    rng = np.random.default_rng(seed)
    epoch = np.arange(epochs)
    return 0.3 + np.exp(-epoch / 12.0) + rng.normal(0.0, 0.01, epochs)


def schedule_curves(epochs=EPOCHS, base_lr=BASE_LR):
    """Per-epoch rates of every panel: a list of (title, options, rates)."""
    val_loss = simulated_val_loss(epochs)
    curves = []
    for title, spec, options in PANELS:
        schedule = get_schedule(spec, **options)
        schedule.start(base_lr, epochs)
        rates = []
        for epoch in range(epochs):
            rates.append(schedule(epoch))
            schedule.on_epoch_end(epoch, {"loss": val_loss[epoch], "val_loss": val_loss[epoch]})
        curves.append((title, options, np.array(rates)))
    return curves


def plot_schedule_curves(curves, ncols=3):
    """One small titled panel per schedule; returns the figure."""
    import matplotlib.pyplot as plt

    nrows = math.ceil(len(curves) / ncols)
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(4.0 * ncols, 3.1 * nrows), sharex=True, layout="constrained"
    )
    for ax, (title, options, rates) in zip(axes.flat, curves):
        # steps-post: the rate is constant for the whole epoch it was set for
        ax.plot(np.arange(len(rates)), rates, color="C0", linewidth=1.8, drawstyle="steps-post")
        # Options go in a second title line: inside the axes they hid curves.
        subtitle = ", ".join(f"{k}={v}" for k, v in options.items()) or "no options"
        ax.set_title(f"{title}\n{subtitle}", fontsize=10, linespacing=1.4)
        ax.set_ylim(0, BASE_LR * 1.08)
        ax.set_xlim(0, len(rates) - 1)
        ax.set_xlabel("epoch")
        ax.set_ylabel("learning rate")
        ax.tick_params(labelsize=8)
        ax.xaxis.set_tick_params(labelbottom=True)
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(curves):]:
        ax.set_visible(False)
    fig.suptitle(f"Epoch-level learning-rate schedules (base rate {BASE_LR}, {EPOCHS} epochs)")
    return fig


def main(path=ROOT / "docs" / "img" / "schedules.png"):
    import matplotlib

    matplotlib.use("Agg")
    fig = plot_schedule_curves(schedule_curves())
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
