"""``skdl datasets``: what ``--dataset`` accepts, with tasks and sizes."""

from __future__ import annotations

import json

__all__ = ["run"]


def run(args) -> int:
    """Run ``skdl datasets`` (see ``skdl datasets --help``)."""
    from skdl.datasets import get_data_home, list_datasets

    table = list_datasets()
    if args.json:
        records = []
        for row in table.to_dict(orient="records"):
            clean = {}
            for k, v in row.items():
                if hasattr(v, "item"):
                    v = v.item()
                if v is not None and not isinstance(v, (str, bool, int, float, list, tuple)):
                    v = None if str(v) in ("<NA>", "nan") else str(v)
                if isinstance(v, float) and v != v:
                    v = None
                clean[k] = list(v) if isinstance(v, tuple) else v
            records.append(clean)
        print(json.dumps(records, indent=2))
        return 0
    rows = []
    for r in table.itertuples(index=False):
        classes = "" if r.n_classes is None or str(r.n_classes) == "<NA>" else str(r.n_classes)
        shape = "x".join(map(str, r.image_shape)) if r.image_shape is not None else ""
        where = "bundled" if r.source == "bundled" else ("cached" if r.cached else "download")
        rows.append([r.name, r.task, f"{r.n_samples:,}", str(r.n_features), classes, shape,
                     r.size, where, r.description])
    header = ["name", "task", "samples", "features", "classes", "image", "size", "available",
              "description"]
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(header[:-1])]
    right = {2, 3, 4, 6}

    def line(cells):
        parts = [c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths))]
        return "  ".join(parts + [cells[-1]]).rstrip()

    print(line(header))
    for row in rows:
        print(line(row))
    print(f"\nbundled: shipped with scikit-learn, no network. download: fetched once on first use "
          f"into {get_data_home()} (set SKDL_DATA to move it), then cached.")
    print("Use one with: skdl tune --dataset NAME --out runs/NAME")
    return 0
