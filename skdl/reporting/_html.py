"""Rendering of report sections to one self-contained HTML page and to Markdown.

Figures become base64 PNGs inside ``<img>`` tags and the stylesheet is read
from the package data file ``report.css``, so the page opens offline.
"""

from __future__ import annotations

import base64
import html
import io
import re
import string
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd


def figure_to_png(figure, *, dpi: int = 90) -> bytes:
    """PNG bytes of a matplotlib figure (tight bounding box), then close it."""
    buf = io.BytesIO()
    figure.savefig(buf, format="png", dpi=dpi, bbox_inches="tight", facecolor="white")
    import matplotlib.pyplot as plt  # already imported: the figure exists

    plt.close(figure)
    return buf.getvalue()


def _read_package_text(name: str) -> str:
    return resources.files("skdl.reporting").joinpath(name).read_text(encoding="utf-8")


def _cell(value: Any, digits: int, general: bool = False) -> str:
    if value is None or (isinstance(value, (float, np.floating)) and np.isnan(value)):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        v = float(value)
        if general:  # mixed columns (hyperparameters): show the value as given
            return f"{v:g}"
        if v != 0 and (abs(v) < 10 ** -digits or abs(v) >= 1e6):
            return f"{v:.{digits}g}"
        return f"{v:.{digits}f}"
    return str(value)


def table_html(frame: pd.DataFrame | pd.Series, *, digits: int = 4) -> str:
    """A report table as an HTML ``<table>`` (escaped, numbers right-aligned)."""
    if isinstance(frame, pd.Series):
        frame = frame.to_frame()
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    index_name = html.escape(str(frame.index.name or ""))
    general = [frame[c].dtype == object for c in frame.columns]
    rows = []
    # itertuples keeps each column's dtype (iterrows would turn integer supports into floats)
    for idx, *values in frame.itertuples(name=None):
        cells = "".join(
            f"<td>{html.escape(_cell(v, digits, g))}</td>" for v, g in zip(values, general)
        )
        rows.append(f"<tr><th>{html.escape(str(idx))}</th>{cells}</tr>")
    return (
        '<div class="scroll"><table class="skdl">'
        f"<thead><tr><th>{index_name}</th>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def table_markdown(frame: pd.DataFrame | pd.Series, *, digits: int = 4) -> str:
    """A report table as a GitHub-flavoured Markdown table."""
    if isinstance(frame, pd.Series):
        frame = frame.to_frame()

    def esc(s):
        return str(s).replace("|", "\\|")

    general = [frame[c].dtype == object for c in frame.columns]
    header = [esc(frame.index.name or "")] + [esc(c) for c in frame.columns]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(["---"] + ["---:"] * len(frame.columns)) + "|"]
    for idx, *values in frame.itertuples(name=None):
        lines.append("| " + " | ".join([esc(idx)] + [esc(_cell(v, digits, g)) for v, g in zip(values, general)]) + " |")
    return "\n".join(lines)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"


def render_html(report, *, digits: int = 4) -> str:
    """The full HTML page of a :class:`~skdl.reporting.Report`."""
    from skdl import __version__

    body, nav = [], []
    for section in report.sections:
        sid = _slug(section.title)
        nav.append(f'<a href="#{sid}">{html.escape(section.title)}</a>')
        parts = [f'<section id="{sid}"><h2>{html.escape(section.title)}</h2>']
        if section.note:
            parts.append(f'<p class="note">{html.escape(section.note)}</p>')
        for key, caption in section.tables:
            parts.append(f"<h3>{html.escape(caption)}</h3>")
            parts.append(table_html(report.tables[key], digits=digits))
        if section.text:
            parts.append(f"<pre>{html.escape(section.text)}</pre>")
        if section.figures:
            parts.append('<div class="grid">')
            for key, caption in section.figures:
                data = base64.b64encode(report.figures[key]).decode("ascii")
                parts.append(
                    f'<figure><img src="data:image/png;base64,{data}" alt="{html.escape(caption)}">'
                    f"<figcaption>{html.escape(caption)}</figcaption></figure>"
                )
            parts.append("</div>")
        parts.append("</section>")
        body.append("\n".join(parts))
    template = string.Template(_read_package_text("templates/report.html"))
    return template.substitute(
        title=html.escape(report.title),
        subtitle=html.escape(report.subtitle),
        css=_read_package_text("report.css"),
        nav="\n".join(nav),
        body="\n".join(body),
        version=__version__,
        generated=html.escape(report.created),
        provenance=(
            "Every number comes from the trials stored in the Optuna study."
            if report.task == "search"
            else "Every number is computed with scikit-learn's metrics on the test data given to "
            "make_report."
        ),
    )


def render_markdown(report, *, digits: int = 4) -> str:
    """The report as Markdown: tables in full, figures listed by caption."""
    out = [f"# {report.title}", "", f"_{report.subtitle}_", ""]
    for section in report.sections:
        out += [f"## {section.title}", ""]
        if section.note:
            out += [section.note, ""]
        for key, caption in section.tables:
            out += [f"**{caption}**", "", table_markdown(report.tables[key], digits=digits), ""]
        if section.text:
            out += ["```", section.text.rstrip(), "```", ""]
        for _, caption in section.figures:
            out += [f"- figure: {caption} (embedded in the HTML report)"]
        if section.figures:
            out.append("")
    return "\n".join(out).rstrip() + "\n"
