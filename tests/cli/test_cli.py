"""End-to-end tests of the ``skdl`` command line on tiny data.

Commands run in-process through :func:`skdl.cli.main` (it returns the exit
status), except the ``--help`` checks, which run the module and the console
script as a user would. Searches fix every hyperparameter but the learning
rate, so each trial reuses one compiled network and the whole file stays
within a couple of minutes.
"""

import json
import os
import shutil
import signal
import subprocess
import sys

import joblib
import numpy as np
import pandas as pd
import pytest

from skdl.cli import main

# Two folds, three epochs, a 4-unit network: only learning_rate is searched.
TINY = [
    "--cv", "2", "--epochs", "3", "--patience", "3",
    "--set", "hidden_layer_sizes=[4]", "--set", "activation=relu", "--set", "dropout=0.0",
    "--set", "l1=0.0", "--set", "l2=0.0", "--set", "optimizer=adam", "--set", "batch_size=32",
]


@pytest.fixture(autouse=True)
def _restore_backend_env():
    """``main`` chooses KERAS_BACKEND for its process; give the test process its own back."""
    old = os.environ.get("KERAS_BACKEND")
    yield
    if old is None:
        os.environ.pop("KERAS_BACKEND", None)
    else:
        os.environ["KERAS_BACKEND"] = old


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("cli")


@pytest.fixture(scope="module")
def iris_run(workdir):
    """``skdl tune --dataset iris`` with 2 trials: the run later tests read and resume."""
    out = workdir / "iris"
    status = main(["tune", "--dataset", "iris", "--trials", "2", *TINY, "--out", str(out), "-q"])
    assert status == 0
    return out


@pytest.fixture(scope="module")
def table_csv(workdir):
    """A CSV with an ID, a constant, categorical and numeric columns with gaps and a junk cell."""
    rng = np.random.RandomState(0)
    n = 60
    age = rng.uniform(20, 70, n).round(1)
    city = rng.choice(["Madrid", "Lima", "Quito"], n).astype(object)
    income = rng.normal(30, 8, n).round(2)
    label = np.where(age + 5 * (city == "Lima") > 45, "yes", "no")
    age[::7] = np.nan
    city[::9] = None
    age = age.astype(object)
    age[5] = "??"  # a typing slip in a numeric column
    frame = pd.DataFrame({
        "customer_id": np.arange(1000, 1000 + n), "age": age, "city": city,
        "country": "ES", "income": income, "label": label,
        "price": (income * 2 + rng.normal(0, 1, n)).round(3),
    })
    path = workdir / "customers.csv"
    frame.to_csv(path, index=False)
    return path


def _no_traceback(captured):
    assert "Traceback" not in captured.err
    assert "Traceback" not in captured.out


# ------------------------------------------------------------------- tune
def test_tune_writes_report_model_trials_and_summary(iris_run):
    for name in ("report.html", "model.joblib", "trials.csv", "summary.json", "study.db"):
        assert (iris_run / name).is_file(), name
    summary = json.loads((iris_run / "summary.json").read_text())
    assert summary["status"] == "finished"
    assert summary["seed"] == 0
    assert summary["data"]["dataset"] == "iris" and summary["data"]["n_test"] == 30
    assert set(summary["best_params"]) == {"learning_rate"}
    assert 0 <= summary["cv_score"] <= 1
    assert {"accuracy", "balanced_accuracy", "f1_macro"} <= set(summary["test_scores"])
    assert {"keras", "scikit-learn", "optuna", "python"} <= set(summary["versions"])
    assert summary["backend"] in ("jax", "tensorflow", "torch", "numpy")
    html = (iris_run / "report.html").read_text()
    assert "<img" in html and "Hyperparameter search" in html
    trials = pd.read_csv(iris_run / "trials.csv", keep_default_na=False)
    assert len(trials) >= 2
    # CV scores are called cv_*; "test" is kept for the held-out rows
    assert list(trials.columns[:4]) == ["number", "state", "cv_score", "reason"]
    assert "cv_fold_score" in trials and not any("test" in c for c in trials.columns)
    assert {"fold_epochs", "fold_best_epoch"} <= set(trials.columns)  # how long each fold trained
    assert set(trials.loc[trials["state"] == "COMPLETE", "reason"]) == {""}
    # the JSON twin of report.html
    twin = json.loads((iris_run / "report.json").read_text())
    assert twin["title"].startswith("skdl tune: iris") and "tables" in twin
    assert summary["files"]["report_json"] == "report.json"


def test_tune_ensemble_refits_and_averages_the_best_trials(workdir, capfd):
    out = workdir / "iris_ensemble"
    status = main(["tune", "--dataset", "iris", "--trials", "3", *TINY, "--ensemble", "2",
                   "--out", str(out), "-q"])
    captured = capfd.readouterr()
    assert status == 0, captured.err
    summary = json.loads((out / "summary.json").read_text())
    trials = pd.read_csv(out / "trials.csv", keep_default_na=False)
    ranked = trials[trials["state"] == "COMPLETE"].sort_values(["cv_score", "number"],
                                                                 ascending=[False, True])
    assert summary["ensemble_trials"] == ranked["number"].tolist()[:2]
    assert summary["ensemble_trials"][0] == summary["best_trial"]
    assert "Refitting the 2 best trials" in captured.out and "mean of the 2 best trials" in captured.out
    model = joblib.load(out / "model.joblib")
    assert type(model).__name__ == "TrialEnsemble"
    assert list(model.named_estimators_) == [f"trial_{n}" for n in summary["ensemble_trials"]]
    from sklearn.datasets import load_iris

    X = load_iris(as_frame=True).data
    np.testing.assert_allclose(model.predict_proba(X),
                               np.mean([m.predict_proba(X) for m in model.estimators_], axis=0))
    assert "the mean of 2: trial_" in (out / "report.html").read_text()


def test_tune_refits_an_early_stopping_trial_for_its_folds_best_epoch(workdir, capfd):
    out = workdir / "iris_folds_length"
    status = main(["tune", "--dataset", "iris", "--trials", "2", *TINY, "--set", "early_stopping=true",
                   "--out", str(out), "-q"])
    captured = capfd.readouterr()
    assert status == 0, captured.err
    summary = json.loads((out / "summary.json").read_text())
    trials = pd.read_csv(out / "trials.csv")
    best = json.loads(trials.set_index("number").loc[summary["best_trial"], "fold_best_epoch"])
    epochs = int(round(float(np.median(best)))) + 1
    assert summary["refit_params"] == [{**summary["best_params"], "early_stopping": False,
                                        "epochs": epochs}]
    assert summary["epochs_trained"] == epochs
    assert f"{epochs} epochs on all training rows (the median best epoch of the folds" in captured.out


def test_tune_again_resumes_the_study(iris_run, capfd):
    status = main(["tune", "--dataset", "iris", "--trials", "3", *TINY, "--out", str(iris_run), "-q"])
    out = capfd.readouterr()
    assert status == 0, out.err
    assert "Resuming study 'skdl'" in out.out and "2 trials done" in out.out
    assert "CV accuracy" in out.out and "test accuracy" in out.out
    trials = pd.read_csv(iris_run / "trials.csv")
    assert len(trials) == 3 and (trials["state"] == "COMPLETE").sum() >= 1
    assert json.loads((iris_run / "summary.json").read_text())["search"]["counts"]["counted"] == 3


def test_tune_keeps_the_defaults_unless_the_best_trial_beats_them_by_the_margin(iris_run, capfd):
    """A study with all its trials only refits, so each margin is a cheap re-run of the choice."""
    trials = pd.read_csv(iris_run / "trials.csv")
    done = trials[trials["state"] == "COMPLETE"].sort_values(["cv_score", "number"],
                                                             ascending=[False, True])
    top = int(done["number"].iloc[0])
    folds = np.asarray(json.loads(done["cv_fold_score"].iloc[0]), dtype=float)
    se = folds.std(ddof=1) / np.sqrt(len(folds))
    gap = float(done["cv_score"].iloc[0] - trials.set_index("number").loc[0, "cv_score"])
    for margin in ("0", "1000"):
        status = main(["tune", "--dataset", "iris", "--trials", str(len(trials)), *TINY,
                       "--defaults-margin", margin, "--out", str(iris_run)])
        out = capfd.readouterr().out
        assert status == 0 and "no new trials" in out
        summary = json.loads((iris_run / "summary.json").read_text())
        kept = bool(top != 0 and gap <= float(margin) * se)
        assert summary["top_trial"] == top and summary["defaults_kept"] is kept
        assert summary["best_trial"] == (0 if kept else top)
        assert ("defaults kept" in out and "Refitting trial 0, the defaults" in out) is kept
        # the report's fold table is the refitted trial's, and says so when it is not rank 1
        html = (iris_run / "report.html").read_text()
        assert ("Scores of each fold of the refitted candidate (candidate 0, rank" in html) is kept
    assert margin == "1000" and (kept or top == 0 or se == 0)  # the large margin kept trial 0


def test_tune_refuses_to_resume_with_other_settings(iris_run, capfd):
    status = main(["tune", "--dataset", "iris", "--trials", "3", *TINY, "--seed", "1",
                   "--out", str(iris_run)])
    err = capfd.readouterr().err
    assert status == 1
    assert "started with other settings" in err and "--seed was 0, now 1" in err


def test_ctrl_c_saves_finished_trials_and_says_how_to_resume(workdir, capfd, monkeypatch):
    from skdl.cli import _models

    fits = {"n": 0}

    def interrupt_third_fit(self, epoch, logs=None):
        if epoch == 0:
            fits["n"] += 1
            if fits["n"] == 3:  # trial 0 ran 2 folds; stop trial 1 on its first epoch
                signal.raise_signal(signal.SIGINT)

    monkeypatch.setattr(_models.EpochProgress, "on_epoch_end", interrupt_third_fit)
    out_dir = workdir / "interrupted"
    argv = ["tune", "--dataset", "iris", "--trials", "3", *TINY, "--out", str(out_dir), "-v"]
    status = main(argv)
    captured = capfd.readouterr()
    assert status == 130
    assert "Interrupted: 1 finished trials are saved" in captured.out
    assert "Resume with the same command" in captured.out and "--out" in captured.out
    _no_traceback(captured)
    assert json.loads((out_dir / "summary.json").read_text())["status"] == "interrupted"
    trials = pd.read_csv(out_dir / "trials.csv", keep_default_na=False)
    assert (trials["state"] == "COMPLETE").sum() == 1
    stopped = trials[trials["state"] == "FAIL"]
    assert len(stopped) == 1 and stopped["reason"].iloc[0].startswith("interrupted: the search was stopped")
    assert not (out_dir / "model.joblib").exists()


# ------------------------------------------- train, predict, report on a CSV
def test_train_predict_report_on_csv_with_categories_and_gaps(workdir, table_csv, capfd):
    out_dir = workdir / "csv-train"
    status = main(["train", "--csv", str(table_csv), "--target", "label", "--drop", "price",
                   "--epochs", "3", "--set", "hidden_layer_sizes=[4]", "--out", str(out_dir)])
    captured = capfd.readouterr()
    assert status == 0, captured.err
    assert "inferred from the target" in captured.out  # the task was not given
    assert "'customer_id'" in captured.err and "identifiers" in captured.err
    assert "'country'" in captured.err and "constant" in captured.err
    # the junk cell is a missing value of a numeric column, not a reason to one-hot encode it
    assert ("skdl: warning: Column 'age' holds numbers, but 1 of its 60 cells is not a number "
            "('??'); it is read as missing.") in captured.err
    model = joblib.load(out_dir / "model.joblib")
    assert model.named_steps["preprocess"].transformers_[0][2] == ["age", "income"]
    summary = json.loads((out_dir / "summary.json").read_text())
    assert summary["data"]["task"] == "classification" and summary["data"]["task_inferred"]
    assert summary["best_params"] == {"hidden_layer_sizes": [4]}
    assert (out_dir / "report.html").is_file()

    # predict: raw rows (gaps, unseen city) go through the saved preprocessing
    rows = pd.read_csv(table_csv).drop(columns=["label"]).head(8)
    rows.loc[0, "city"] = "Bogota"
    rows["income"] = rows["income"].astype(object)
    rows.loc[3, "income"] = "n/a!"  # one bad cell must not cost the other rows their prediction
    new = workdir / "new_customers.csv"
    rows.to_csv(new, index=False)
    preds_path = workdir / "predictions.csv"
    status = main(["predict", str(out_dir), "--csv", str(new), "--proba", "--keep", "customer_id",
                   "-o", str(preds_path)])
    captured = capfd.readouterr()
    assert status == 0, captured.err
    assert ("skdl: warning: Column 'income' holds numbers, but 1 of its 8 cells is not a number "
            "('n/a!'); it is treated as missing and imputed.") in captured.err
    assert captured.err.count("Column 'income'") == 1  # predict and predict_proba: said once
    preds = pd.read_csv(preds_path)
    assert list(preds.columns) == ["customer_id", "prediction", "proba_no", "proba_yes"]
    assert len(preds) == 8 and set(preds["prediction"]) <= {"yes", "no"}
    np.testing.assert_allclose(preds[["proba_no", "proba_yes"]].sum(axis=1), 1.0, rtol=1e-5)

    # report: the saved model on other data, then on its own held-out split
    report_path = workdir / "csv-report.html"
    status = main(["report", str(out_dir / "model.joblib"), "--csv", str(table_csv),
                   "--target", "label", "-o", str(report_path)])
    captured = capfd.readouterr()
    assert status == 0, captured.err
    assert "all 60 rows" in captured.out and report_path.is_file()
    status = main(["report", str(out_dir), "-o", str(workdir / "own-split.html")])
    captured = capfd.readouterr()
    assert status == 0, captured.err
    assert "the run's 12 held-out test rows" in captured.out


def test_train_regression_from_a_params_file(workdir, table_csv, capfd):
    params = workdir / "params.yaml"
    params.write_text("hidden_layer_sizes: [4]\nlearning_rate: 0.01\n")
    out_dir = workdir / "csv-regression"
    status = main(["train", "--csv", str(table_csv), "--target", "price", "--drop", "label",
                   "--task", "regression", "--params", str(params), "--epochs", "3", "--cv", "2",
                   "--out", str(out_dir)])
    captured = capfd.readouterr()
    assert status == 0, captured.err
    assert "CV r2" in captured.out and "test r2" in captured.out
    summary = json.loads((out_dir / "summary.json").read_text())
    assert summary["data"]["task"] == "regression" and not summary["data"]["task_inferred"]
    assert summary["best_params"]["learning_rate"] == 0.01 and "cv_score" in summary


# ------------------------------------------------------------------ report
def test_report_of_a_study(iris_run, workdir, capfd):
    output = workdir / "study.html"
    status = main(["report", "--storage", str(iris_run / "study.db"), "--study", "skdl",
                   "-o", str(output)])
    captured = capfd.readouterr()
    assert status == 0, captured.err
    assert "complete trials" in captured.out and "best params" in captured.out
    html = output.read_text()
    assert "Optimisation history" in html and "<img" in html


def test_report_of_a_run_directory_includes_its_study(iris_run, workdir, capfd):
    output = workdir / "again.html"
    assert main(["report", str(iris_run), "-o", str(output)]) == 0
    assert "held-out test rows" in capfd.readouterr().out
    assert "Hyperparameter search" in output.read_text()


# ---------------------------------------------------------------- datasets
def test_datasets_lists_bundled_and_downloadable(capsys):
    assert main(["datasets"]) == 0
    out = capsys.readouterr().out
    assert "iris" in out and "fashion_mnist" in out and "bundled" in out and "download" in out
    assert main(["datasets", "--json"]) == 0
    records = json.loads(capsys.readouterr().out)
    iris = next(r for r in records if r["name"] == "iris")
    assert iris["task"] == "classification" and iris["n_samples"] == 150


# ------------------------------------------------------------------ errors
@pytest.fixture(scope="module")
def bad_files(workdir):
    files = {}
    files["unparseable"] = workdir / "unparseable.csv"
    files["unparseable"].write_text('a,b,c\n1,2,3\n4,"5,6\n')
    files["header_only"] = workdir / "header_only.csv"
    files["header_only"].write_text("a,b,label\n")
    files["one_class"] = workdir / "one_class.csv"
    files["one_class"].write_text("a,b,label\n" + "".join(f"{i},{i * 2},same\n" for i in range(20)))
    files["ok"] = workdir / "ok.csv"
    files["ok"].write_text(
        "a,b,f,label\n" + "".join(f"{i},{i % 3},{i * 0.37:.2f},{'xy'[i % 2]}\n" for i in range(20))
    )
    return files


@pytest.mark.parametrize(
    "case, argv, status, message",
    [
        ("missing file", ["train", "--csv", "{missing}", "--target", "label"], 1, "CSV file not found"),
        ("unknown column", ["train", "--csv", "{ok}", "--target", "lable"], 1,
         "Target column 'lable' is not in 'ok.csv'"),
        ("unparseable", ["train", "--csv", "{unparseable}", "--target", "a"], 1, "Could not parse"),
        ("empty data", ["train", "--csv", "{header_only}", "--target", "label"], 1, "no data rows"),
        ("one class", ["tune", "--csv", "{one_class}", "--target", "label"], 1,
         "has only one class ('same' in all 20 rows)"),
        ("bad trials", ["tune", "--dataset", "iris", "--trials", "0"], 2,
         "argument --trials: expected a whole number >= 1, got '0'"),
        ("bad defaults margin", ["tune", "--dataset", "iris", "--defaults-margin", "-1"], 2,
         "argument --defaults-margin: expected a finite number >= 0, got '-1'"),
        ("bad test size", ["train", "--dataset", "iris", "--test-size", "1.5"], 2,
         "argument --test-size: expected a fraction strictly between 0 and 1"),
        ("bad task", ["tune", "--dataset", "iris", "--task", "clustering"], 2, "argument --task: invalid choice"),
        ("unknown dataset", ["tune", "--dataset", "irs"], 2, "Did you mean 'iris'?"),
        ("no target", ["train", "--csv", "{ok}"], 2, "needs --target COLUMN"),
        ("target with dataset", ["train", "--dataset", "iris", "--target", "y"], 2, "--target is for --csv"),
        ("unknown model", ["train", "--dataset", "iris", "--model", "mpl"], 2, "unknown --model 'mpl'"),
        ("cnn on tables", ["train", "--dataset", "iris", "--model", "cnn"], 1, "needs image data"),
        ("unknown scoring", ["tune", "--dataset", "iris", "--scoring", "acuracy"], 2,
         "Did you mean 'accuracy'?"),
        ("unknown hyperparameter", ["train", "--dataset", "iris", "--set", "learnig_rate=0.1"], 2,
         "unknown hyperparameter 'learnig_rate'"),
        ("bad --set", ["train", "--dataset", "iris", "--set", "learning_rate"], 2, "--set expects KEY=VALUE"),
        ("continuous class", ["train", "--csv", "{ok}", "--target", "f", "--task", "classification"], 1,
         "holds continuous values"),
        ("missing model", ["predict", "{missing}", "--csv", "{ok}"], 1, "model file not found"),
        ("csv as model", ["predict", "{ok}", "--csv", "{ok}"], 1,
         "ok.csv is not a skdl model file (it is a text file that looks like a CSV ('a,b,f,label'"),
        ("csv as model to report", ["report", "{ok}"], 1, "ok.csv is not a skdl model file"),
        ("study without storage", ["report", "--study", "x"], 2, "--study needs --storage URL"),
        ("no command", [], 2, "a command is required"),
    ],
)
def test_errors_are_one_line_and_exit_non_zero(case, argv, status, message, bad_files, workdir, capfd):
    paths = {k: str(v) for k, v in bad_files.items()}
    paths["missing"] = str(workdir / "does-not-exist.csv")
    argv = [a.format(**paths) for a in argv]
    if argv and argv[0] in ("tune", "train"):
        argv += ["--out", str(workdir / f"err-{case.replace(' ', '-')}")]
    assert main(argv) == status, case
    captured = capfd.readouterr()
    _no_traceback(captured)
    errors = [line for line in captured.err.splitlines() if "error:" in line]
    assert len(errors) == 1, captured.err
    assert message in errors[0], errors[0]
    if status == 2:  # usage errors point to the help, as argparse's do
        assert errors[0].endswith("--help')"), errors[0]


def test_predict_with_a_junk_cell_on_a_dataset_model(iris_run, workdir, capfd):
    from sklearn.datasets import load_iris

    rows = load_iris(as_frame=True).data.head(5).astype(object)
    rows.iloc[2, 1] = "abc"
    path = workdir / "iris_rows.csv"
    rows.to_csv(path, index=False)
    out = workdir / "iris_preds.csv"
    assert main(["predict", str(iris_run), "--csv", str(path), "-o", str(out)]) == 0
    err = capfd.readouterr().err
    assert "Column 'sepal width (cm)' holds numbers, but 1 of its 5 cells is not a number ('abc')" in err
    assert len(pd.read_csv(out)) == 5


def test_report_needs_a_model_or_a_storage(capfd):
    assert main(["report"]) == 2
    assert "give MODEL" in capfd.readouterr().err


def test_predict_names_missing_feature_columns(iris_run, workdir, capfd):
    rows = workdir / "few_columns.csv"
    rows.write_text("sepal length (cm),sepal width (cm)\n5.1,3.5\n")
    assert main(["predict", str(iris_run), "--csv", str(rows)]) == 1
    err = capfd.readouterr().err
    assert "lacks 2 column(s) the model was trained on: 'petal length (cm)'" in err


# ------------------------------------------------------- process and help
def test_version_and_help_in_process(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("skdl ")
    for command in ("tune", "train", "report", "predict", "datasets"):
        assert main([command, "--help"]) == 0
        assert f"usage: skdl {command}" in capsys.readouterr().out


def test_select_backend_prefers_tensorflow_then_jax_and_honours_the_user(monkeypatch):
    from skdl.cli import select_backend

    monkeypatch.setenv("KERAS_BACKEND", "jax")
    assert select_backend() == "jax"
    monkeypatch.delenv("KERAS_BACKEND")
    monkeypatch.delitem(sys.modules, "keras", raising=False)
    monkeypatch.setattr("importlib.util.find_spec", lambda name: object())
    assert select_backend() == "tensorflow" and os.environ["KERAS_BACKEND"] == "tensorflow"
    monkeypatch.delenv("KERAS_BACKEND")
    monkeypatch.setattr("importlib.util.find_spec", lambda name: object() if name == "jax" else None)
    assert select_backend() == "jax" and os.environ["KERAS_BACKEND"] == "jax"


def test_python_m_skdl_help_is_fast_and_imports_nothing_heavy():
    code = (
        "import sys, runpy; sys.argv = ['skdl', 'tune', '--help']\n"
        "try:\n    runpy.run_module('skdl', run_name='__main__')\n"
        "except SystemExit as e:\n    assert e.code == 0, e.code\n"
        "heavy = [m for m in ('keras', 'tensorflow', 'jax', 'optuna', 'matplotlib', 'sklearn') "
        "if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "usage: skdl tune" in proc.stdout and "HEAVY []" in proc.stdout
    proc = subprocess.run([sys.executable, "-m", "skdl", "--help"], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0 and "skdl tune --dataset digits" in proc.stdout


@pytest.mark.skipif(shutil.which("skdl") is None, reason="console script not installed (pip install -e .)")
def test_console_script():
    proc = subprocess.run(["skdl", "datasets", "--help"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and "usage: skdl datasets" in proc.stdout
    proc = subprocess.run(["skdl", "tune", "--trials", "x"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "skdl tune: error: argument --trials: expected a whole number >= 1, got 'x' "
        "(see 'skdl tune --help')"
    ]


def test_tune_sizes_the_search_to_the_data():
    """Trial 0 is the untuned estimator; batches, depth and early stopping follow the fold size."""
    from skdl import MLPClassifier
    from skdl.cli._models import STEP, search_space
    from skdl.cli._tune import validation_fraction

    from skdl.cli import _tune
    from skdl.estimators._data import MIN_VALIDATION_ROWS

    assert _tune.MIN_VALIDATION_ROWS == MIN_VALIDATION_ROWS  # the estimators' rule, written once more here
    assert validation_fraction(1000) == 0.1
    assert validation_fraction(200) == 0.15  # 30 rows
    assert validation_fraction(54) == 0.25  # capped: 13 rows, too few to search early stopping
    from sklearn.pipeline import Pipeline

    pipe = Pipeline([(STEP, MLPClassifier())])
    small = search_space(pipe, "mlp", {}, n_samples=54)
    assert f"{STEP}__batch_size" not in small and f"{STEP}__early_stopping" not in small
    pipe.set_params(**{f"{STEP}__validation_fraction": validation_fraction(200)})
    mid = search_space(pipe, "mlp", {}, n_samples=200)
    assert mid[f"{STEP}__early_stopping"] == [False, True]
    assert f"{STEP}__batch_size" not in mid  # 16 would be the only size with 8 updates per epoch
    assert mid[f"{STEP}__hidden_layer_sizes"].n_layers == (1, 2)
    assert search_space(pipe, "mlp", {}, n_samples=1000)[f"{STEP}__batch_size"] == [32, 64]
    assert "sgd" not in mid[f"{STEP}__optimizer"]


def test_tabular_networks_get_one_op_thread_on_tensorflow_unless_the_user_chose(monkeypatch):
    from types import SimpleNamespace

    from skdl.cli import use_one_op_thread

    for name in ("SKDL_NUM_THREADS", "TF_NUM_INTRAOP_THREADS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delitem(sys.modules, "tensorflow", raising=False)
    monkeypatch.setenv("KERAS_BACKEND", "tensorflow")
    for command, model in (("tune", "cnn"), ("train", "lenet"), ("report", "mlp")):
        assert not use_one_op_thread(SimpleNamespace(command=command, model=model))
        assert "SKDL_NUM_THREADS" not in os.environ
    monkeypatch.setenv("KERAS_BACKEND", "jax")
    assert not use_one_op_thread(SimpleNamespace(command="tune", model="mlp"))
    monkeypatch.setenv("KERAS_BACKEND", "tensorflow")
    monkeypatch.setenv("TF_NUM_INTRAOP_THREADS", "2")  # the user's choice wins
    assert not use_one_op_thread(SimpleNamespace(command="tune", model="mlp"))
    monkeypatch.delenv("TF_NUM_INTRAOP_THREADS")
    assert use_one_op_thread(SimpleNamespace(command="tune", model=" MLP"))
    assert os.environ["SKDL_NUM_THREADS"] == "1"


def test_jax_compilation_cache_in_the_user_cache_dir(monkeypatch, tmp_path):
    import sys

    from skdl.cli import use_jax_compilation_cache

    monkeypatch.delenv("JAX_COMPILATION_CACHE_DIR", raising=False)
    monkeypatch.delenv("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setenv("KERAS_BACKEND", "tensorflow")
    assert use_jax_compilation_cache() is None and "JAX_COMPILATION_CACHE_DIR" not in os.environ
    monkeypatch.setenv("KERAS_BACKEND", "jax")
    monkeypatch.delitem(sys.modules, "jax", raising=False)
    assert use_jax_compilation_cache() == str(tmp_path / "skdl" / "jax")
    assert os.environ["JAX_COMPILATION_CACHE_DIR"] == str(tmp_path / "skdl" / "jax")
    assert os.environ["JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS"] == "0.1"
    monkeypatch.setenv("JAX_COMPILATION_CACHE_DIR", "")  # the user's choice wins: off
    assert use_jax_compilation_cache() is None and os.environ["JAX_COMPILATION_CACHE_DIR"] == ""
