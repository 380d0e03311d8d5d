"""Search tables/plots and the HTML/Markdown/JSON report."""

import base64
import io
import json
import re
import subprocess
import sys

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn import metrics
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, cross_validate

from skdl.reporting import (
    SearchDisplay,
    compute_intermediate_values,
    compute_optimization_history,
    make_report,
    make_study_report,
    search_trials_frame,
)


@pytest.fixture(scope="module")
def study():
    optuna = pytest.importorskip("optuna")
    optuna.logging.set_verbosity(optuna.logging.WARNING)

    def objective(trial):
        x = trial.suggest_float("x", -3, 3)
        kind = trial.suggest_categorical("kind", ["a", "b"])
        value = 0.0
        for step in range(6):
            value = -(x - 1) ** 2 - (kind == "b") + step * 0.1
            trial.report(value, step)
            if trial.should_prune():
                raise optuna.TrialPruned()
        return value

    study = optuna.create_study(
        direction="maximize",
        sampler=optuna.samplers.TPESampler(seed=0),
        pruner=optuna.pruners.MedianPruner(n_startup_trials=3, n_warmup_steps=1),
    )
    study.optimize(objective, n_trials=20)
    return study


class FakeSearch:
    """Anything with study_ and cv_results_ (like OptunaSearchCV) is accepted."""

    def __init__(self, study):
        self.study_ = study
        self.cv_results_ = {"params": [t.params for t in study.trials]}


def test_history_and_trials_table(study):
    hist = compute_optimization_history(FakeSearch(study))
    assert len(hist) == len(study.trials)
    assert (hist["state"] == "PRUNED").any()
    assert_allclose(hist["best_value"].iloc[-1], study.best_value)
    assert hist.loc[hist["state"] == "PRUNED", "value"].isna().all()
    table = search_trials_frame(study, n_top=3)
    assert table.iloc[0]["number"] == study.best_trial.number
    assert_allclose(table.iloc[0]["value"], study.best_value)
    assert table.iloc[0]["x"] == study.best_params["x"]
    assert table["value"].is_monotonic_decreasing
    iv = compute_intermediate_values(study)
    pruned = [t for t in study.trials if t.state.name == "PRUNED"]
    assert iv[pruned[0].number]["state"] == "PRUNED"


def test_search_plots(pyplot, study):
    disp = SearchDisplay(FakeSearch(study))
    assert disp.available_kinds() == ["history", "importances", "parallel", "slice", "intermediate"]
    for kind in disp.available_kinds():
        assert disp.plot(kind=kind).figure_ is not None
    disp.plot(kind="history")
    labels = disp.ax_.get_legend_handles_labels()[1]
    assert any(lbl.startswith("pruned trial") for lbl in labels)
    assert pyplot.rcParams["axes.facecolor"] == "white"  # optuna's ggplot style did not leak
    with pytest.raises(ValueError, match="'kind' parameter must be one of"):
        disp.plot(kind="contour")


def test_search_without_study(pyplot, multiclass):
    c = multiclass
    search = GridSearchCV(LogisticRegression(max_iter=200), {"C": [0.01, 0.1]}, cv=2).fit(c.Xte, c.yte)
    hist = compute_optimization_history(search)
    assert_allclose(hist["best_value"].iloc[-1], search.best_score_)
    assert SearchDisplay(search).available_kinds() == ["history"]
    with pytest.raises(ValueError, match="need an Optuna study"):
        SearchDisplay(search).plot(kind="intermediate")


def _images(html):
    found = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html)
    return [base64.b64decode(s) for s in found]


def _html_cell(html, row, col_index):
    """Text of column ``col_index`` in the first table row headed ``row``."""
    m = re.search(rf"<tr><th>{re.escape(row)}</th>((?:<td>[^<]*</td>)+)</tr>", html)
    return re.findall(r"<td>([^<]*)</td>", m.group(1))[col_index]


def test_report_multiclass(pyplot, tmp_path, multiclass, study):
    c = multiclass
    cv = cross_validate(LogisticRegression(max_iter=500), c.X, c.y, cv=3)
    path = tmp_path / "sub" / "report.html"
    report = make_report(c.est, c.Xte, c.yte, search=FakeSearch(study), cv_results=cv, path=path, title="Iris")
    html = path.read_text(encoding="utf-8")
    assert report.path == str(path)
    # every embedded figure decodes to a PNG that matplotlib can read
    imgs = _images(html)
    assert len(imgs) == len(report.figures) >= 8
    for png in imgs:
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        pyplot.imread(io.BytesIO(png), format="png")
    # the numbers in the tables are sklearn's
    acc = metrics.accuracy_score(c.yte, c.pred)
    assert _html_cell(html, "accuracy", 0) == f"{acc:.4f}"
    auc = metrics.roc_auc_score(c.yte, c.proba, multi_class="ovr")
    assert _html_cell(html, "roc-auc (macro)", 0) == f"{auc:.4f}"
    f1 = metrics.f1_score(c.yte, c.pred, average=None)
    assert _html_cell(html, "virginica", 2) == f"{f1[2]:.4f}"
    assert "<style>" in html and "table.skdl" in html  # CSS inlined from package data
    assert "http://" not in html and "https://" not in html  # opens offline
    for section in ("Model", "Hyperparameters", "Test-set evaluation", "Cross-validation", "Hyperparameter search"):
        assert section in html
    # JSON and Markdown carry the same numbers
    data = json.loads(report.to_json())
    assert_allclose(data["tables"]["classification_summary"]["accuracy"], acc)
    assert_allclose(data["tables"]["search_trials"]["1"]["value"], study.best_value)
    assert_allclose(data["tables"]["cv_summary"]["test_score"]["mean"], cv["test_score"].mean())
    md = report.to_markdown()
    assert f"| accuracy | {acc:.4f} |" in md and "# Iris" in md
    text = str(report)
    assert "accuracy" in text and str(path) in text
    assert report.to_dict()["task"] == "multiclass"


def test_report_binary_pipeline(pyplot, tmp_path, binary):
    c = binary
    report = make_report(c.est, c.Xte, c.yte, path=tmp_path / "b.html")
    assert report.tables["model"]["pipeline"] == "StandardScaler → LogisticRegression"
    assert report.tables["hyperparameters"].loc["C", "value"] == 0.05  # the final step's
    auc = metrics.roc_auc_score(c.yte == c.classes[1], c.proba[:, 1])
    assert_allclose(report.tables["classification_summary"]["roc-auc"], auc)
    assert {"roc", "precision_recall", "confusion_matrix"} <= set(report.figures)


def test_report_of_an_ensemble_describes_its_first_member(pyplot, tmp_path, multiclass):
    """An averaging ensemble (named_estimators_, as skdl.tuning.TrialEnsemble) names its
    members; the model table and hyperparameters are the first member's."""
    from sklearn.ensemble import VotingClassifier
    from sklearn.tree import DecisionTreeClassifier

    c = multiclass
    ens = VotingClassifier([("best", LogisticRegression(C=0.05, max_iter=500)),
                            ("other", DecisionTreeClassifier(max_depth=2, random_state=0))],
                           voting="soft").fit(c.X, c.y)
    report = make_report(ens, c.Xte, c.yte, path=tmp_path / "e.html")
    assert report.tables["model"]["ensemble"] == "VotingClassifier, the mean of 2: best, other"
    assert report.tables["model"]["estimator"] == "LogisticRegression"
    assert report.tables["hyperparameters"].loc["C", "value"] == 0.05
    assert_allclose(report.tables["classification_summary"]["accuracy"],
                    metrics.accuracy_score(c.yte, ens.predict(c.Xte)))
    assert "those of best" in (tmp_path / "e.html").read_text(encoding="utf-8")


def test_report_multilabel_and_regression(pyplot, tmp_path, multilabel, regression):
    ml = multilabel
    report = make_report(ml.est, ml.Xte, ml.yte, path=None)
    assert report.path is None
    assert_allclose(report.tables["classification_report"].loc["micro avg", "roc-auc"],
                    metrics.roc_auc_score(ml.yte, ml.proba, average="micro"))
    r = regression
    report = make_report(r.est, r.Xte, r.yte, path=tmp_path / "r.html")
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    r2 = metrics.r2_score(r.yte, r.pred)
    assert _html_cell(html, "R²", 0) == f"{r2:.4f}"
    assert "regression" in report.figures and len(_images(html)) == 1


def test_report_with_history_and_keras_like_model(pyplot, tmp_path, multiclass, history):
    c = multiclass

    class FakeKeras:
        layers = [object(), object()]

        def summary(self, print_fn):
            print_fn('Model: "sequential"')
            print_fn("Total params: 1,234")

        def count_params(self):
            return 1234

    class Wrapped:
        """A fitted classifier with history_ and model_ (the skdl contract)."""

        classes_ = c.est.classes_
        history_ = history
        model_ = FakeKeras()

        def get_params(self, deep=True):
            return {"epochs": 20, "hidden_layer_sizes": (16,)}

        def predict(self, X):
            return c.est.predict(X)

        def predict_proba(self, X):
            return c.est.predict_proba(X)

    report = make_report(Wrapped(), c.Xte, c.yte, path=tmp_path / "k.html")
    assert report.tables["model"]["parameters"] == 1234
    assert report.tables["model"]["layers"] == 2
    assert "history" in report.figures
    hs = report.tables["history_summary"]
    assert_allclose(hs.loc["val_loss", "final"], history["val_loss"][-1])
    html = (tmp_path / "k.html").read_text(encoding="utf-8")
    assert "Total params: 1,234" in html and "(16,)" in html


def test_import_is_light():
    code = (
        "import sys, skdl.reporting; "
        "bad = [m for m in ('matplotlib', 'keras', 'optuna', 'tensorflow', 'skdl.estimators', 'skdl.tuning') "
        "if m in sys.modules]; print(bad); sys.exit(bool(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_public_api_is_sorted_and_documented():
    import skdl.reporting as rep

    assert rep.__all__ == sorted(rep.__all__)
    for name in rep.__all__:
        assert getattr(rep, name).__doc__, name


def test_integer_columns_stay_integers_in_html(multiclass):
    from skdl.reporting import classification_report_frame
    from skdl.reporting._html import table_html, table_markdown

    c = multiclass
    frame = classification_report_frame(c.yte, c.pred, c.proba)
    support = int(frame.loc["setosa", "support"])
    assert f"<td>{support}</td>" in table_html(frame)
    assert f" {support} |" in table_markdown(frame)


def test_report_on_skdl_mlp(pyplot, tmp_path, multiclass):
    """Integration: skdl's own MLPClassifier (history_ + a Keras model_)."""
    skdl = pytest.importorskip("skdl")
    c = multiclass
    try:
        clf = skdl.MLPClassifier(hidden_layer_sizes=(8,), epochs=3, validation_fraction=0.2, random_state=0)
    except (AttributeError, ImportError, TypeError) as exc:  # estimators not usable in this checkout
        pytest.skip(f"skdl.MLPClassifier unavailable: {exc}")
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf.fit(c.X, c.y)
    report = make_report(clf, c.Xte, c.yte, path=tmp_path / "mlp.html")
    assert report.tables["model"]["parameters"] == clf.model_.count_params()
    assert "Total params" in (tmp_path / "mlp.html").read_text(encoding="utf-8")
    assert len(report.tables["history_summary"]) >= 2  # loss and val_loss at least
    proba = clf.predict_proba(c.Xte)
    assert_allclose(report.tables["classification_summary"]["log loss"], metrics.log_loss(c.yte, proba, labels=clf.classes_))
    assert list(report.tables["classification_report"].index[:3]) == ["setosa", "versicolor", "virginica"]


def test_study_report_lists_every_complete_trial_and_draws_the_plots(pyplot, tmp_path, study):
    from optuna.trial import TrialState

    path = tmp_path / "study.html"
    report = make_study_report(study, path=path)
    complete = [t for t in study.trials if t.state == TrialState.COMPLETE]
    assert report.title == f"Optuna study {study.study_name!r}"
    assert report.subtitle == f"{len(study.trials)} trials (0 running)"
    assert len(report.tables["search_trials"]) == len(complete)
    assert report.tables["search_overview"]["trials"] == len(study.trials)
    assert {"search_history", "search_intermediate"} <= set(report.figures)
    html = path.read_text()
    assert "Optimisation history" in html and "<img" in html
    top = make_study_report(study, n_top=3, title="Three best")
    assert len(top.tables["search_trials"]) == 3 and top.title == "Three best"


def test_study_report_of_a_study_without_complete_trials(pyplot):
    import optuna

    study = optuna.create_study()
    study.enqueue_trial({"x": 0.0})
    trial = study.ask()  # left running
    report = make_study_report(study)
    assert report.subtitle == "1 trials (1 running)"
    assert "search_trials" not in report.tables
    assert "No trial has completed yet" in report.sections[0].note
    assert trial.number == 0


def test_slice_plot_shows_the_six_most_important_of_many_parameters(pyplot):
    import optuna

    names = [f"p{i}" for i in range(8)]

    def objective(trial):
        values = [trial.suggest_float(n, 0, 1) for n in names]
        return 10 * values[7] + 5 * values[6] + 0.01 * sum(values[:6])

    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    study.optimize(objective, n_trials=30)
    disp = SearchDisplay(study).plot(kind="slice")
    shown = {ax.get_title().split("\n")[0] for ax in disp.axes_} & set(names)
    assert len(shown) == 6
    assert {"p7", "p6"} <= shown  # the parameters that matter are among them
