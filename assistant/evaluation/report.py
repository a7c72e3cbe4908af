"""Write an evaluation report as JSON, Markdown and HTML (with embedded matplotlib plots)."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from assistant.answer.miss_causes import MISS_CAUSES
from assistant.evaluation.harness import Report


def _png(fig: Any) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def plot_confusion(metrics: dict[str, Any]) -> str:
    """A confusion-matrix heat map as base64 PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = metrics["confusion"]["labels"]
    matrix = [[metrics["confusion"]["matrix"][e][g] for g in labels] for e in labels]
    fig, ax = plt.subplots(figsize=(7, 6))
    ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right")
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("got")
    ax.set_ylabel("expected")
    for i, row in enumerate(matrix):
        for j, value in enumerate(row):
            if value:
                ax.text(j, i, str(value), ha="center", va="center", fontsize=8)
    png = _png(fig)
    plt.close(fig)
    return png


def plot_risk_and_calibration(metrics: dict[str, Any]) -> str:
    """Risk–coverage curve and reliability diagram side by side, as base64 PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    points = [p for p in metrics["risk_coverage"] if p["answered_accuracy"] is not None]
    left.plot([p["coverage"] for p in points], [p["answered_accuracy"] for p in points], "o-")
    left.set_xlabel("coverage (share answered)")
    left.set_ylabel("accuracy of answered")
    left.set_title("Risk–coverage over the confidence threshold")
    left.set_ylim(0, 1.02)
    bins = metrics["calibration"]["bins"]
    right.plot([0, 1], [0, 1], "--", color="grey")
    right.plot([b["confidence"] for b in bins], [b["accuracy"] for b in bins], "o-")
    for b in bins:  # how many questions each point stands for
        right.annotate(
            f"n={b['n']}",
            (b["confidence"], b["accuracy"]),
            textcoords="offset points",
            xytext=(0, 7),
            ha="center",
            fontsize=8,
        )
    right.set_xlabel("mean confidence")
    right.set_ylabel("accuracy")
    right.set_title(f"Calibration (ECE {metrics['calibration']['ece']})")
    png = _png(fig)
    plt.close(fig)
    return png


def write_report(report: Report, out_dir: Path) -> dict[str, Path]:
    """Write report.json, report.md and report.html into `out_dir`; return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    env = Environment(
        loader=PackageLoader("assistant.evaluation", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    data = json.loads(report.to_json())
    plots = {
        split: {
            "confusion": plot_confusion(metrics),
            "risk": plot_risk_and_calibration(metrics),
        }
        for split, metrics in data["metrics"].items()
    }
    paths = {
        "json": out_dir / "report.json",
        "md": out_dir / "report.md",
        "html": out_dir / "report.html",
    }
    paths["json"].write_text(report.to_json(), encoding="utf-8")
    paths["md"].write_text(
        env.get_template("report.md.j2").render(r=data, causes=MISS_CAUSES), encoding="utf-8"
    )
    paths["html"].write_text(
        env.get_template("report.html.j2").render(r=data, plots=plots, causes=MISS_CAUSES),
        encoding="utf-8",
    )
    return paths
