"""The search section of a report, and ``make_study_report``: a report of a search alone."""

from __future__ import annotations

import os

import pandas as pd

from skdl.reporting._report import Report, Section

__all__ = ["make_study_report"]


_SEARCH_CAPTIONS = {
    "history": "Optimisation history",
    "importances": "Parameter importances",
    "parallel": "Parallel coordinates",
    "slice": "Objective vs each parameter",
    "intermediate": "Intermediate values per epoch (pruned trials in red)",
}


def _add_search_section(report: Report, search, *, n_top: int | None, dpi: int) -> Section:
    """The "Hyperparameter search" section: overview, best trials, the search plots."""
    from skdl.reporting._search import SearchDisplay, search_overview, search_trials_frame

    sec = report._section("Hyperparameter search")
    report._table(sec, "search_overview", "Overview", search_overview(search).rename("value"))
    table = search_trials_frame(search, n_top=n_top)
    if len(table):
        caption = "Complete trials, best first" if n_top is None else "Best trials"
        report._table(sec, "search_trials", caption, table)
    else:
        sec.note = "No trial has completed yet; make the report again later."
    display = SearchDisplay(search)
    kinds = display.available_kinds()
    if "importances" in kinds:
        try:
            ranking = display._ranking()
        except (ValueError, RuntimeError):
            ranking = None
        if ranking is not None and len(ranking):
            report._table(sec, "search_importances", "Parameter importances (one ranking for every search plot)",
                          _importance_table(ranking))
            sec.note += _importance_note(ranking)
    for kind in kinds:
        try:
            figure = display.plot(kind=kind).figure_
        except (ValueError, RuntimeError) as exc:  # e.g. importances of a degenerate study
            sec.note += f" {_SEARCH_CAPTIONS[kind]} not drawn: {exc}."
            continue
        report._figure(sec, f"search_{kind}", _SEARCH_CAPTIONS[kind], figure, dpi)
    return sec


def _importance_table(ranking: pd.DataFrame) -> pd.DataFrame:
    n = ranking.attrs.get("n_complete", 0)
    table = pd.DataFrame({
        "importance": ranking["importance"].to_numpy(),
        "set in trials": [f"{k} of {n}" for k in ranking["n_trials"]],
        "conditional": ranking["conditional"].map({True: "yes", False: ""}).to_numpy(),
        "kind": ranking["kind"].to_numpy(),
    }, index=pd.Index(ranking["name"].to_numpy(), name="parameter"))
    return table


def _importance_note(ranking: pd.DataFrame) -> str:
    from skdl.reporting._importance import FEW_TRIALS

    n = ranking.attrs.get("n_complete", 0)
    evaluator = (ranking.attrs.get("evaluator") or "").replace("ImportanceEvaluator", "")
    evaluator = {"Fanova": "fANOVA"}.get(evaluator, evaluator)
    notes = [f" Importances: {evaluator} (seeded) over {n} complete trials; the chart, the slice plot "
             "and the parallel coordinates show the parameters in this order."]
    conditional = ranking.loc[ranking["conditional"], "name"].tolist()
    if conditional:
        notes.append(f" Conditional parameters ({', '.join(conditional)}) are set in only some trials and "
                     "ranked on those trials, so compare their importance with care.")
    if n < FEW_TRIALS:
        notes.append(f" With fewer than {FEW_TRIALS} complete trials the ranking is rough.")
    return "".join(notes)


def make_study_report(
    study,
    *,
    path: str | os.PathLike | None = None,
    json_path: str | os.PathLike | None = None,
    title: str | None = None,
    subtitle: str | None = None,
    n_top: int | None = None,
    dpi: int = 90,
) -> Report:
    """A report of a search alone: its overview, its trials and the search plots.

    Use it to watch a search that is still running (a study shared by several
    workers, read from its storage) or to look back at one without a fitted
    model or test data; :func:`make_report` adds the same section to a full
    evaluation report.

    Parameters
    ----------
    study : optuna.Study, OptunaSearchCV or sklearn search
        The search. A study may still be running: running trials are counted
        and plots use the trials finished so far.
    path : str or path-like, default=None
        Where to write the HTML page; ``None`` writes nothing.
    json_path : str or path-like, default=None
        Where to write the same numbers as JSON; the footer names it then.
    title, subtitle : str, default=None
        Page heading; by default the study's name and its trial counts.
    n_top : int or None, default=None
        How many complete trials to list, best first; ``None`` lists all.
    dpi : int, default=90
        Resolution of the embedded figures.

    Returns
    -------
    report : Report
        ``report.tables["search_overview"]`` and ``report.tables["search_trials"]``
        hold the numbers; ``to_html()``/``to_markdown()``/``to_json()`` render it.

    Examples
    --------
    >>> import optuna
    >>> from skdl.reporting import make_study_report
    >>> optuna.logging.set_verbosity(optuna.logging.WARNING)
    >>> study = optuna.create_study()
    >>> study.optimize(lambda t: (t.suggest_float("x", -1, 1) - 0.2) ** 2, n_trials=5)
    >>> report = make_study_report(study, title="Toy study")
    >>> int(report.tables["search_overview"]["trials"])
    5
    """
    from skdl.reporting._search import get_study
    from skdl.reporting._utils import import_pyplot

    import_pyplot(purpose="make_study_report")
    study_obj = get_study(study)
    if subtitle is None and study_obj is not None:
        from optuna.trial import TrialState

        trials = study_obj.get_trials(deepcopy=False)
        running = sum(t.state == TrialState.RUNNING for t in trials)
        subtitle = f"{len(trials)} trials ({running} running)"
    if title is None:
        name = getattr(study_obj, "study_name", None)
        title = f"Optuna study {name!r}" if name else "Hyperparameter search"
    report = Report(title=title, subtitle=subtitle or "", task="search")
    _add_search_section(report, study, n_top=n_top, dpi=dpi)
    if path is not None:
        report.save(path, json_path=json_path)
    elif json_path is not None:
        report.to_json(json_path)
    return report
