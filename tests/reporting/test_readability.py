"""What makes the report readable: one importance ranking, short names, table formats,
wide figures, per-fold scores, the validation curve and the footer's JSON promise."""

import re

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_validate

from skdl.reporting import (
    ConfusionDisplay,
    CVRocDisplay,
    HistoryDisplay,
    RegressionDisplay,
    RocCurvesDisplay,
    SearchDisplay,
    compute_history,
    compute_parallel_coordinates,
    compute_param_importances,
    compute_slice,
    cv_fold_scores,
    make_report,
    make_study_report,
    search_trials_frame,
    short_param_names,
)
from skdl.reporting._html import MISSING, format_number, table_html


@pytest.fixture(scope="module")
def conditional_study():
    """A Pipeline-style search: every name has model__, momentum only in SGD trials."""
    optuna = pytest.importorskip("optuna")
    optuna.logging.set_verbosity(optuna.logging.WARNING)

    def objective(trial):
        lr = trial.suggest_float("model__learning_rate", 1e-4, 1e-1, log=True)
        units = trial.suggest_int("model__units", 8, 64)
        opt = trial.suggest_categorical("model__optimizer", ["adam", "sgd"])
        noise = trial.suggest_float("model__dropout", 0.0, 0.5)
        value = -3 * abs(np.log10(lr) + 2.5) + 0.001 * units + 0.01 * noise
        if opt == "sgd":
            value += 0.1 * trial.suggest_float("model__optimizer__momentum", 0.0, 0.9)
        return value

    study = optuna.create_study(direction="maximize", sampler=optuna.samplers.RandomSampler(seed=1))
    study.optimize(objective, n_trials=20)
    return study


# -- one importance ranking, short names, conditional parameters --------------

def test_short_param_names_strip_only_a_prefix_every_name_shares():
    assert short_param_names(["model__lr", "model__optimizer__momentum"]) == {
        "model__lr": "lr", "model__optimizer__momentum": "optimizer__momentum"}
    # bare estimator: 'optimizer__momentum' next to 'optimizer' keeps its prefix
    assert short_param_names(["optimizer", "optimizer__momentum"]) == {
        "optimizer": "optimizer", "optimizer__momentum": "optimizer__momentum"}
    assert short_param_names(["a__x", "b__y"]) == {"a__x": "a__x", "b__y": "b__y"}


def test_importance_ranking_is_deterministic_flags_conditional_parameters(conditional_study):
    ranking = compute_param_importances(conditional_study)
    assert ranking.equals(compute_param_importances(conditional_study))  # seeded: same page every time
    assert ranking.index[0] == "model__learning_rate"  # the parameter the objective depends on
    assert list(ranking["name"]) == [n.removeprefix("model__") for n in ranking.index]
    n_sgd = sum("model__optimizer__momentum" in t.params for t in conditional_study.trials)
    momentum = ranking.loc["model__optimizer__momentum"]
    assert momentum["conditional"] and momentum["n_trials"] == n_sgd < 20
    assert not ranking.loc["model__units", "conditional"]
    assert ranking.loc["model__learning_rate", "kind"] == "log"
    assert ranking.loc["model__units", "kind"] == "int"
    assert ranking.attrs["n_complete"] == 20


def test_slice_parallel_and_chart_use_the_one_ranking(pyplot, conditional_study):
    ranking = compute_param_importances(conditional_study)
    order = list(ranking.index)
    slc = compute_slice(conditional_study, max_params=3)
    assert [p.name for p in slc.params] == order[:3]
    par = compute_parallel_coordinates(conditional_study, max_params=4)
    assert [a.name for a in par.axes[1:]] == order[:4]
    assert par.axes[0].kind == "objective"
    disp = SearchDisplay(conditional_study)
    disp.plot(kind="importances")
    ticks = sorted(zip(disp.ax_.get_yticks(), (t.get_text() for t in disp.ax_.get_yticklabels())), reverse=True)
    labels = [lbl for _, lbl in ticks]  # top to bottom
    assert [lbl.split("  (")[0] for lbl in labels] == list(ranking["name"])  # most important on top
    assert any(lbl.startswith("optimizer__momentum  (") and "of 20 trials" in lbl for lbl in labels)
    notes = " ".join(t.get_text() for t in disp.ax_.texts)
    assert "fewer than 30" in notes and "Hatched: conditional" in notes
    disp.plot(kind="slice")
    assert [ax.get_title().split("\n")[0] for ax in disp.axes_] == list(ranking["name"])[:len(disp.axes_)]
    assert "fewer than 30" in disp.figure_._suptitle.get_text()


def test_parallel_coordinates_are_readable(pyplot, conditional_study):
    par = compute_parallel_coordinates(conditional_study)
    # every axis: a handful of ticks inside the axis, labels short and without the step prefix
    for axis in par.axes:
        assert 1 <= len(axis.ticks) <= 6 and np.all((axis.ticks >= 0) & (axis.ticks <= 1))
        assert len(axis.ticklabels) == len(axis.ticks)
        assert not axis.label.startswith("model__")
    lr = next(a for a in par.axes if a.label == "learning_rate")
    assert all(re.fullmatch(r"1e-\d|0\.\d+|\d.*", t) for t in lr.ticklabels)  # one label per decade
    opt = next(a for a in par.axes if a.label == "optimizer")
    assert opt.ticklabels == ["adam", "sgd"]  # categories labelled once each
    momentum = next(a for a in par.axes if a.label == "optimizer__momentum")
    col = [a.name for a in par.axes].index(momentum.name)
    assert np.isnan(par.positions[:, col]).sum() == 20 - momentum.n_trials  # unset = not set, not invented
    disp = SearchDisplay(conditional_study).plot(kind="parallel")
    texts = [t.get_text() for t in disp.ax_.texts]
    assert texts.count("adam") == 1 and "not set" in texts
    assert not any("model__" in t for t in texts)
    assert len(par.axes) - 1 <= 8


def test_parallel_shows_at_most_eight_parameters(pyplot):
    import optuna

    def objective(trial):
        return sum((i + 1) * trial.suggest_float(f"step__p{i}", 0, 1) for i in range(11))

    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    study.optimize(objective, n_trials=12)
    par = compute_parallel_coordinates(study)
    assert len(par.axes) == 9 and par.n_params == 11
    disp = SearchDisplay(study).plot(kind="parallel")
    assert "8 most important of 11" in disp.ax_.get_title()


def test_search_history_ticks_are_integers(pyplot, conditional_study):
    disp = SearchDisplay(conditional_study).plot(kind="history")
    ticks = [t for t in disp.ax_.get_xticks() if disp.ax_.get_xlim()[0] <= t <= disp.ax_.get_xlim()[1]]
    assert all(float(t).is_integer() for t in ticks)


def test_trials_table_short_names_ints_and_none(conditional_study):
    table = search_trials_frame(conditional_study, n_top=None)
    assert "units" in table.columns and "model__units" not in table.columns
    assert all(isinstance(v, (int, np.integer)) for v in table["units"])
    assert table["optimizer__momentum"].isna().sum() == (table["optimizer"] == "adam").sum()
    html = table_html(table)
    assert f"<td>{MISSING}</td>" in html  # adam trials: no momentum
    units = int(table["units"].iloc[0])
    assert f"<td>{units}</td>" in html and f"<td>{units}.0" not in html


# -- table formatting ----------------------------------------------------------

def test_numbers_have_four_significant_digits_ints_stay_ints_none_is_a_dash():
    assert format_number(0.97368) == "0.9737"
    assert format_number(0.9) == "0.9000"
    assert format_number(1.081e-07) == "1.081e-07"
    assert format_number(12.5) == "12.50" and format_number(2900.0) == "2900"
    frame = pd.DataFrame({"width": [25, 100], "l1": [0.0002, 1.081e-07], "rate": [0.5, 0.25],
                          "note": pd.Series([None, "x"], dtype=object)})
    html = table_html(frame)
    assert "<td>25</td>" in html and "25.0000" not in html
    # one notation per column: no 0.0002 next to 1.081e-07
    assert "<td>2.000e-04</td>" in html and "<td>1.081e-07</td>" in html
    assert "<td>0.5000</td>" in html
    assert f"<td>{MISSING}</td>" in html


def test_hyperparameter_none_is_a_dash(pyplot, tmp_path, multiclass):
    c = multiclass
    html = make_report(c.est, c.Xte, c.yte).to_html()
    row = re.search(r"<tr><th>class_weight</th><td>([^<]*)</td>", html)
    assert row.group(1) == MISSING


# -- cross-validation: per-fold scores -------------------------------------------

def test_cv_fold_scores_from_cross_validate_and_search(pyplot, multiclass):
    from sklearn.model_selection import GridSearchCV

    c = multiclass
    cv = cross_validate(LogisticRegression(max_iter=300), c.X, c.y, cv=3, return_train_score=True)
    folds = cv_fold_scores(cv)
    assert list(folds.index) == [1, 2, 3] and folds.index.name == "fold"
    np.testing.assert_allclose(folds["test_score"], cv["test_score"])
    assert list(folds.columns[:2]) == ["test_score", "train_score"]
    search = GridSearchCV(LogisticRegression(max_iter=300), {"C": [0.01, 1.0]}, cv=3).fit(c.X, c.y)
    best = cv_fold_scores(search)
    assert best.attrs["candidate"] == search.best_index_
    np.testing.assert_allclose(best["test_score"], [search.cv_results_[f"split{i}_test_score"][search.best_index_]
                                                    for i in range(3)])
    # a refit callable may refit a lower-ranked candidate: the folds are the refitted one's
    worst = GridSearchCV(LogisticRegression(max_iter=300), {"C": [0.01, 1.0]}, cv=3,
                         refit=lambda r: int(np.argmax(r["rank_test_score"]))).fit(c.X, c.y)
    chosen = cv_fold_scores(worst)
    assert chosen.attrs["candidate"] == worst.best_index_ and chosen.attrs["rank"] == 2
    assert cv_fold_scores(worst.cv_results_).attrs["rank"] == 1  # a bare dict: rank 1
    html = make_report(c.est, c.Xte, c.yte, cv_results=worst).to_html()
    assert f"of the refitted candidate (candidate {worst.best_index_}, rank 2)" in html
    report = make_report(c.est, c.Xte, c.yte, cv_results=cv)
    html = report.to_html()
    assert "Scores of each fold" in html
    assert f"<td>{format_number(cv['test_score'][1])}</td>" in html


# -- training history: validation curve and best epoch -------------------------

def test_val_poisson_is_lower_is_better():
    history = {"loss": [3.0, 2.0, 1.0, 0.5], "val_poisson": [2.0, 1.0, 1.5, 1.8]}
    curves = compute_history(history)
    assert curves.monitor == "val_poisson" and curves.best_epoch == 2
    # the same rule as early stopping: cosine similarity rises as the model improves
    up = compute_history({"loss": [3.0, 2.0, 1.0], "val_cosine_similarity": [0.2, 0.9, 0.5]})
    assert up.best_epoch == 2


def test_three_epoch_history_has_integer_ticks(pyplot):
    disp = HistoryDisplay.from_history({"loss": [1.0, 0.7, 0.6], "val_loss": [1.1, 0.9, 0.95]})
    ax = disp.axes_["loss"]
    lo, hi = ax.get_xlim()
    ticks = [t for t in ax.get_xticks() if lo <= t <= hi]
    assert ticks == [1.0, 2.0, 3.0]


def test_report_history_has_validation_curve_and_best_epoch_on_validation(pyplot, multiclass, history):
    c = multiclass

    class Net:
        classes_ = c.est.classes_
        history_ = history

        def get_params(self, deep=True):
            return {"epochs": 20}

        def predict(self, X):
            return c.est.predict(X)

        def predict_proba(self, X):
            return c.est.predict_proba(X)

    report = make_report(Net(), c.Xte, c.yte)
    best = int(np.argmin(history["val_loss"])) + 1
    assert best != int(np.argmin(history["loss"])) + 1  # the test would not tell otherwise
    section = next(s for s in report.sections if s.title == "Training history")
    assert section.note.startswith(f"Best epoch {best} by val_loss (on the validation split)")
    assert f"at best epoch ({best})" in report.tables["history_summary"].columns
    disp = HistoryDisplay.from_history(history)
    assert {"loss", "val_loss"} <= set(disp.lines_)
    ticks = disp.axes_["loss"].get_xticks()
    assert all(float(t).is_integer() for t in ticks)

    class TrainOnly(Net):
        history_ = {"loss": [1.0, 0.8, 0.9]}

    note = next(s.note for s in make_report(TrainOnly(), c.Xte, c.yte).sections if s.title == "Training history")
    assert "no best epoch" in note and "early_stopping=True" in note


# -- figures: wide ones span the page --------------------------------------------

def test_wide_figures_span_the_page(pyplot, multiclass, history, conditional_study):
    c = multiclass

    class Net:
        classes_ = c.est.classes_
        history_ = history

        def get_params(self, deep=True):
            return {}

        def predict(self, X):
            return c.est.predict(X)

        def predict_proba(self, X):
            return c.est.predict_proba(X)

    report = make_report(Net(), c.Xte, c.yte, search=conditional_study)
    html = report.to_html()
    css = re.search(r"<style>(.*)</style>", html, re.S).group(1)
    assert re.search(r"\.grid figure\.wide \{[^}]*max-width: 100%", css)
    wide = set(re.findall(r'<figure class="wide"><img [^>]*alt="([^"]+)"', html))
    assert {"Loss and metrics per epoch", "Parallel coordinates", "Objective vs each parameter"} <= wide
    assert "ROC curves" not in wide  # square plots still share a row
    for key in ("history", "search_parallel", "search_slice"):
        assert report.figure_sizes[key][0] >= 760


# -- footer: the JSON twin only when written -------------------------------------

def test_footer_names_json_only_when_written(pyplot, tmp_path, multiclass):
    c = multiclass
    plain = make_report(c.est, c.Xte, c.yte, path=tmp_path / "a.html")
    assert "JSON" not in (tmp_path / "a.html").read_text(encoding="utf-8").split("<footer>")[1]
    assert not list(tmp_path.glob("*.json"))
    twin = make_report(c.est, c.Xte, c.yte, path=tmp_path / "b.html", json_path=tmp_path / "b.json")
    footer = (tmp_path / "b.html").read_text(encoding="utf-8").split("<footer>")[1]
    assert "b.json (JSON)" in footer and (tmp_path / "b.json").exists()
    assert twin.json_path == str(tmp_path / "b.json")


def test_make_report_writes_nothing_by_default(pyplot, tmp_path, monkeypatch, multiclass):
    monkeypatch.chdir(tmp_path)
    c = multiclass
    report = make_report(c.est, c.Xte, c.yte)
    assert report.path is None and list(tmp_path.iterdir()) == []


# -- displays: plot(ax=None, *, ..., **kwargs) and final-step titles ---------------

def test_displays_take_ax_then_keywords_and_forward_kwargs(pyplot, multiclass, regression, history):
    import inspect

    for cls in (ConfusionDisplay, RocCurvesDisplay, HistoryDisplay, RegressionDisplay, CVRocDisplay,
                SearchDisplay):
        params = list(inspect.signature(cls.plot).parameters.values())
        assert params[1].name == "ax" and params[1].default is None, cls
        assert all(p.kind in (p.KEYWORD_ONLY, p.VAR_KEYWORD) for p in params[2:]), cls
        assert params[-1].kind == params[-1].VAR_KEYWORD, cls
    c = multiclass
    roc = RocCurvesDisplay.from_estimator(c.est, c.Xte, c.yte, linewidth=3.5)
    assert all(line.get_linewidth() == 3.5 for line in roc.line_)
    hist = HistoryDisplay.from_history(history, linewidth=4)
    assert hist.lines_["val_loss"].get_linewidth() == 4
    fig, axes = pyplot.subplots(1, 2)
    r = regression
    disp = RegressionDisplay.from_predictions(r.yte, r.pred).plot(axes, alpha=0.2)
    assert disp.axes_[0] is axes[0]


def test_pipeline_displays_are_titled_by_the_final_step(pyplot, binary):
    c = binary  # StandardScaler -> LogisticRegression
    assert "LogisticRegression" in RocCurvesDisplay.from_estimator(c.est, c.Xte, c.yte).ax_.get_title() or \
        "LogisticRegression" in " ".join(RocCurvesDisplay.from_estimator(c.est, c.Xte, c.yte).ax_.get_legend_handles_labels()[1])
    conf = ConfusionDisplay.from_estimator(c.est, c.Xte, c.yte)
    assert "LogisticRegression" in conf.ax_.get_title() and "Pipeline" not in conf.ax_.get_title()
    report = make_report(c.est, c.Xte, c.yte)
    assert report.title == "LogisticRegression evaluation report"


def test_study_report_json_twin(pyplot, tmp_path, conditional_study):
    report = make_study_report(conditional_study, path=tmp_path / "s.html", json_path=tmp_path / "s.json")
    assert "search_importances" in report.tables
    assert "s.json (JSON)" in (tmp_path / "s.html").read_text(encoding="utf-8")
    assert "fewer than 30" in report.sections[0].note
