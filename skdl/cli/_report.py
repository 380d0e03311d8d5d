"""``skdl report``: a saved model on data, or a study while or after it runs."""

from __future__ import annotations

from pathlib import Path

from skdl.cli._common import CLIError, UsageError, display_path, fmt, print_table
from skdl.cli._data import Data, describe_source, load_data, split
from skdl.cli._saved import load_model, load_summary
from skdl.cli._run import write_report_files
from skdl.utils import did_you_mean

__all__ = ["run"]


def _open_study(storage_url: str, name: str | None):
    import optuna

    from skdl.tuning import get_storage

    try:
        storage = get_storage(storage_url)
        names = optuna.study.get_all_study_names(storage)
    except ValueError as exc:
        raise CLIError(f"--storage {storage_url}: {exc}") from None
    except Exception as exc:  # sqlalchemy: bad URL, missing server, not a database
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise CLIError(f"cannot open the study storage {storage_url}: {first}") from None
    if not names:
        raise CLIError(f"no study in {storage_url}.")
    if name is None:
        if len(names) > 1:
            raise CLIError(f"{storage_url} holds {len(names)} studies ({', '.join(map(repr, names))}); "
                           "choose one with --study NAME.")
        name = names[0]
    elif name not in names:
        raise CLIError(f"no study {name!r} in {storage_url}; its studies: "
                       f"{', '.join(map(repr, names))}.{did_you_mean(name, names)}")
    return optuna.load_study(study_name=name, storage=storage)


def study_report(study, *, storage_url: str, dpi: int = 90):
    """A Report with the study's overview, its trials and the search plots."""
    from skdl.reporting import make_study_report

    report = make_study_report(study, dpi=dpi)
    report.subtitle += f" in {storage_url}"
    return report


def _report_study(args) -> int:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = _open_study(args.storage, args.study)
    report = study_report(study, storage_url=args.storage)
    output = Path(args.output or "study_report.html")
    _, json_path = write_report_files(report, output)
    overview = report.tables["search_overview"]
    rows = [(str(k), fmt(v) if isinstance(v, float) else str(v)) for k, v in overview.items()]
    try:
        best = study.best_trial
        from skdl.cli._models import strip_prefix

        rows.append(("best params", ", ".join(f"{k}={fmt(v, 3) if isinstance(v, float) else v}"
                                              for k, v in strip_prefix(best.params).items())))
    except ValueError:  # no complete trial yet
        pass
    print(f"Study {study.study_name!r}:")
    print_table(rows)
    print(f"Wrote {display_path(output)} and {display_path(json_path)}")
    return 0


def _data_from_summary(summary: dict, model) -> tuple[Data, object, object]:
    """Rebuild the run's held-out test split from its summary.json."""
    from types import SimpleNamespace

    source = summary.get("data", {})
    task = source.get("task")
    ns = SimpleNamespace(dataset=source.get("dataset"), csv=source.get("csv"),
                         target=source.get("target"), sep=source.get("sep"),
                         drop=source.get("drop"), task=task)
    if ns.csv and not Path(ns.csv).exists():
        raise CLIError(f"the run's data {ns.csv} is gone; pass --csv PATH --target COLUMN.")
    data = load_data(ns, task=task)
    _, X_test, _, y_test = split(data, test_size=source.get("test_size", 0.2),
                                 seed=summary.get("seed", 0))
    return data, X_test, y_test


def _study_of_run(summary: dict):
    search = summary.get("search") or {}
    if not search.get("storage"):
        return None, None
    try:
        import optuna

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        study = _open_study(search["storage"], search.get("study"))
    except CLIError:
        return None, None
    return study, search


def _report_model(args) -> int:
    from sklearn.base import is_classifier

    from skdl.cli._run import target_names_for
    from skdl.reporting import make_report

    model = load_model(args.model)
    task = "classification" if is_classifier(model) else "regression"
    summary = load_summary(args.model)
    study = None
    if args.dataset or args.csv:
        data = load_data(args, task=task)
        X, y = data.X, data.y
        what = f"{describe_source(data.source)}, all {len(y)} rows"
    elif summary is not None:
        data, X, y = _data_from_summary(summary, model)
        study, _ = _study_of_run(summary)
        what = f"{describe_source(data.source)}, the run's {len(y)} held-out test rows"
    else:
        raise CLIError(f"no data to evaluate {args.model} on: pass --dataset NAME or --csv PATH "
                       "--target COLUMN (there is no summary.json next to the model).")
    from skdl.cli._predict import feature_frame

    X = feature_frame(model, X, source=describe_source(data.source)) if hasattr(X, "columns") else X
    name = type(getattr(model, "steps", [[None, model]])[-1][1]).__name__
    report = make_report(model, X, y, search=study, path=None,
                         title=f"skdl report: {data.name}, {name}",
                         target_names=target_names_for(data, model))
    output = Path(args.output or "report.html")
    _, json_path = write_report_files(report, output)
    print(f"Evaluated {name} on {what}:")
    key = "classification_summary" if "classification_summary" in report.tables else "regression_report"
    table = report.tables[key]
    values = table if key == "classification_summary" else table.iloc[:, 0]
    print_table([(str(k), fmt(float(v))) for k, v in list(values.items())[:6]])
    print(f"Wrote {display_path(output)} and {display_path(json_path)}")
    return 0


def run(args) -> int:
    """Run ``skdl report`` (see ``skdl report --help``)."""
    if args.storage:
        if args.model or args.dataset or args.csv:
            raise UsageError("give either MODEL (with optional data) or --storage URL for a study "
                             "report, not both.")
        return _report_study(args)
    if args.study:
        raise UsageError("--study needs --storage URL (where the study lives).")
    if not args.model:
        raise UsageError("give MODEL (a model.joblib or a run directory), or --storage URL for a "
                         "study report.")
    return _report_model(args)
