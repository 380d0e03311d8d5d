"""Rendering of report sections to one self-contained HTML page and to Markdown.

Figures become base64 PNGs inside ``<img>`` tags and the stylesheet is read
from the package data file ``report.css``, so the page opens offline.
"""

from __future__ import annotations

import base64
import html
import io
import math
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


#: What a table shows for None and NaN (a parameter a trial did not set, a metric with no value).
MISSING = "—"


def _is_missing(value) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value)) if np.ndim(value) == 0 else False
    except (TypeError, ValueError):
        return False


def format_number(value: float, digits: int = 4, *, scientific: bool | None = None, trim: bool = False) -> str:
    """``digits`` significant digits: fixed notation, or ``1.08e-07`` for tiny and huge values.

    Parameters
    ----------
    value : float
    digits : int, default=4
    scientific : bool or None, default=None
        Force (True) or forbid (False) scientific notation; None decides by
        magnitude (below 1e-3 or from 1e6 on).
    trim : bool, default=False
        Drop trailing zeros (``0.9`` rather than ``0.9000``): for values
        given by a user, such as hyperparameters, where they are noise.
    """
    v = float(value)
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    if v == 0:
        return "0"
    if scientific is None:
        scientific = abs(v) < 1e-3 or abs(v) >= 1e6
    if scientific:
        text = f"{v:.{max(digits - 1, 1)}e}"
        if trim:
            mant, exp = text.split("e")
            text = mant.rstrip("0").rstrip(".") + "e" + exp
        return text
    if v.is_integer() and abs(v) >= 10 ** (digits - 1):
        return str(int(v))
    text = f"{v:#.{digits}g}"
    if "e" in text:  # %g chose an exponent: write the fixed form instead
        text = f"{v:.{digits}f}"
    if trim and "." in text:
        text = text.rstrip("0")
    return text.rstrip(".")


def _column_style(values) -> bool | None:
    """Scientific notation for a whole numeric column when any value needs it, so it reads evenly."""
    floats = [abs(float(v)) for v in values
              if isinstance(v, (float, np.floating)) and not _is_missing(v) and np.isfinite(v) and v != 0]
    if not floats:
        return None
    return min(floats) < 1e-3 or max(floats) >= 1e6


def _cell(value: Any, digits: int, scientific: bool | None = None) -> str:
    if _is_missing(value):
        return MISSING
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        # numeric columns: one notation, trailing zeros kept so digits line up; mixed columns
        # (hyperparameters, a conditional parameter) show each value as short as it reads
        return format_number(value, digits, scientific=scientific, trim=scientific is None)
    return str(value)


def _styles(frame: pd.DataFrame) -> list:
    """Per column: a notation for numeric columns, None (per value) for mixed ones."""
    return [None if frame[c].dtype == object else _column_style(frame[c].tolist()) for c in frame.columns]


def _breakable(name) -> str:
    """An escaped header whose long parameter names may wrap after '_' or '.' (in print)."""
    text = html.escape(str(name))
    return text.replace("_", "_<wbr>").replace(".", ".<wbr>") if len(text) > 12 else text


def table_html(frame: pd.DataFrame | pd.Series, *, digits: int = 4) -> str:
    """A report table as an HTML ``<table>`` (escaped, numbers right-aligned)."""
    if isinstance(frame, pd.Series):
        frame = frame.to_frame()
    head = "".join(f"<th>{_breakable(c)}</th>" for c in frame.columns)
    index_name = html.escape(str(frame.index.name or ""))
    styles = _styles(frame)
    rows = []
    # itertuples keeps each column's dtype (iterrows would turn integer supports into floats)
    for idx, *values in frame.itertuples(name=None):
        cells = "".join(
            f"<td>{html.escape(_cell(v, digits, g))}</td>" for v, g in zip(values, styles)
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

    styles = _styles(frame)
    header = [esc(frame.index.name or "")] + [esc(c) for c in frame.columns]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(["---"] + ["---:"] * len(frame.columns)) + "|"]
    for idx, *values in frame.itertuples(name=None):
        lines.append("| " + " | ".join([esc(idx)] + [esc(_cell(v, digits, g)) for v, g in zip(values, styles)]) + " |")
    return "\n".join(lines)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"


#: Figures at least this many pixels wide get ``class="wide"`` and span the page.
WIDE_FIGURE_PX = 760


def render_html(report, *, digits: int = 4) -> str:
    """The full HTML page of a :class:`~skdl.reporting.Report`."""
    import os

    from skdl import __version__

    body, nav = [], []
    for section in report.sections:
        sid = _slug(section.title)
        nav.append(f'<a href="#{sid}">{html.escape(section.title)}</a>')
        parts = [f'<section id="{sid}"><h2>{html.escape(section.title)}</h2>']
        if section.note.strip():
            parts.append(f'<p class="note">{html.escape(section.note.strip())}</p>')
        for key, caption in section.tables:
            parts.append(f"<h3>{html.escape(caption)}</h3>")
            parts.append(table_html(report.tables[key], digits=digits))
        if section.text:
            parts.append(f"<pre>{html.escape(section.text)}</pre>")
        if section.figures:
            parts.append('<div class="grid">')
            for key, caption in section.figures:
                data = base64.b64encode(report.figures[key]).decode("ascii")
                width, height = getattr(report, "figure_sizes", {}).get(key, (0, 0))
                wide = ' class="wide"' if width >= WIDE_FIGURE_PX else ""
                size = f' width="{width}" height="{height}"' if width else ""
                parts.append(
                    f'<figure{wide}><img src="data:image/png;base64,{data}"{size} alt="{html.escape(caption)}">'
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
        json_note=(
            f"The same numbers are in {html.escape(os.path.basename(report.json_path))} (JSON)."
            if getattr(report, "json_path", None) else ""
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
