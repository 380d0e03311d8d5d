"""The argparse definition of every ``skdl`` subcommand.

Only the standard library is imported here, so ``skdl --help`` and
``skdl tune --help`` answer at once: Keras, TensorFlow, Optuna and matplotlib
are imported by the command handlers, after the arguments are known to be
valid.
"""

from __future__ import annotations

import argparse
import sys

__all__ = ["build_parser"]

# `skdl tune --ensemble`: how many of the best trials the refit averages
# (docs/tuning.md, "Refitting an ensemble of the best trials", has the measurements).
ENSEMBLE_DEFAULT = 1
# `skdl tune --refit-length`: how long the refit of an early-stopping trial trains
# (same section of docs/tuning.md).
REFIT_LENGTH_DEFAULT = "folds"
# `skdl tune --defaults-margin`: standard errors by which the best trial must beat
# the defaults' trial 0 to replace it (docs/tuning.md, "Keeping the defaults").
DEFAULTS_MARGIN_DEFAULT = 1.0

EPILOG = """\
exit status: 0 success, 1 a problem with the data, a file or the run
(one line on stderr says which), 2 a bad command line, 130 interrupted
(Ctrl-C; a search keeps its finished trials and can be resumed).

Keras backend: KERAS_BACKEND when set, else TensorFlow when installed,
else JAX. On TensorFlow, tune and train of a tabular network use one
intra-op thread (faster for small networks) unless SKDL_NUM_THREADS or
TF_NUM_INTRAOP_THREADS is set. See docs/cli.md.
"""


class CLIParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line, not usage + error.

    argparse prints the whole usage block before the error, which buries the
    one thing the user needs (which flag, what was wrong) in long commands.
    """

    def error(self, message: str):  # noqa: D401 - argparse API
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """Keep the description's line breaks and show defaults that are set."""

    def _get_help_string(self, action):
        text = action.help or ""
        if "%(default)" in text or action.default is None or action.default is False \
                or action.default == argparse.SUPPRESS or action.default == []:
            return text
        if action.option_strings and action.nargs != 0:
            text += " (default: %(default)s)"
        return text


# --------------------------------------------------------------- value types
def positive_int(text: str) -> int:
    """An int >= 1 (argparse type)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}")
    return value


def epochs_arg(text: str) -> int | str:
    """An int >= 1 or "auto" (argparse type of --epochs)."""
    if text.strip().lower() == "auto":
        return "auto"
    try:
        return positive_int(text)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1 or 'auto', got {text!r}") from None


def cv_folds(text: str) -> int:
    """An int >= 2 (argparse type for cross-validation folds)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 2, got {text!r}") from None
    if value < 2:
        raise argparse.ArgumentTypeError(f"expected a whole number of folds >= 2, got {text!r}")
    return value


def positive_float(text: str) -> float:
    """A float > 0 (argparse type)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number > 0, got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a number > 0, got {text!r}")
    return value


def non_negative_float(text: str) -> float:
    """A float >= 0 (argparse type)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {text!r}") from None
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a finite number >= 0, got {text!r}")
    return value


def fraction(text: str) -> float:
    """A float strictly between 0 and 1 (argparse type for --test-size)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a fraction between 0 and 1, got {text!r}") from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(
            f"expected a fraction strictly between 0 and 1 (e.g. 0.2), got {text!r}"
        )
    return value


def seed_int(text: str) -> int:
    """An int in [0, 2**32) (argparse type for --seed)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {text!r}") from None
    if not 0 <= value < 2**32:
        raise argparse.ArgumentTypeError(f"expected a whole number in [0, 2**32), got {text!r}")
    return value


def shape(text: str) -> tuple:
    """``8,8,1`` -> ``(8, 8, 1)`` (argparse type for --input-shape)."""
    parts = [p for p in text.replace("x", ",").split(",") if p.strip()]
    try:
        dims = tuple(int(p) for p in parts)
    except ValueError:
        dims = ()
    if not dims or any(d < 1 for d in dims):
        raise argparse.ArgumentTypeError(
            f"expected positive whole numbers separated by commas (e.g. 28,28,1), got {text!r}"
        )
    return dims


# ------------------------------------------------------------- shared groups
def _add_data_args(parser: argparse.ArgumentParser, *, required: bool) -> None:
    group = parser.add_argument_group("data (one of --dataset or --csv)")
    source = group.add_mutually_exclusive_group(required=required)
    source.add_argument(
        "--dataset",
        metavar="NAME",
        help="a dataset by name: bundled (iris, digits, wine, breast_cancer, diabetes) "
        "or downloadable and cached (see 'skdl datasets')",
    )
    source.add_argument(
        "--csv",
        metavar="PATH",
        help="any CSV file (separator and decimal mark are detected; .csv.gz works); "
        "needs --target",
    )
    group.add_argument("--target", metavar="COLUMN", help="the target column of --csv (name, or position like -1)")
    group.add_argument("--sep", metavar="SEP", help="field separator of --csv (default: detected)")
    group.add_argument(
        "--drop",
        metavar="COLUMN",
        action="append",
        default=None,
        help="a column of --csv to leave out of the features (repeatable)",
    )


def _add_model_args(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("model")
    group.add_argument(
        "--task",
        choices=("classification", "regression"),
        help="inferred from the target when omitted (and the reason is printed)",
    )
    group.add_argument(
        "--model",
        default="mlp",
        metavar="NAME",
        help="'mlp', 'cnn' (image data: a dataset with an image shape, or --input-shape) "
        "or a registered architecture name",
    )
    group.add_argument(
        "--input-shape",
        type=shape,
        metavar="H,W,C",
        help="shape of one sample for --model cnn when the data does not say (e.g. 28,28,1)",
    )
    group.add_argument(
        "--epochs",
        type=epochs_arg,
        metavar="N",
        help="maximum epochs per fit, or 'auto' (the default, the MLP estimators' own): at most "
        "10 000 weight updates on each fit's rows, 10 to 200 epochs (200 up to ~1 600 rows at "
        "batch 32); training also stops once the loss stops improving (--patience)",
    )
    group.add_argument(
        "--patience",
        type=positive_int,
        default=10,
        metavar="N",
        help="epochs without improvement of the training loss (of the validation loss "
        "when a trial uses early stopping) before a fit stops",
    )
    group.add_argument(
        "--set",
        dest="set_params",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="fix a hyperparameter of the model, e.g. --set hidden_layer_sizes=[64,32] "
        "--set learning_rate=0.01 (values are read as YAML; repeatable)",
    )


def _add_split_args(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("evaluation")
    group.add_argument(
        "--test-size",
        type=fraction,
        default=0.2,
        metavar="FRACTION",
        help="fraction held out as the test set (stratified for classification)",
    )
    group.add_argument("--seed", type=seed_int, default=0, metavar="N", help="seed of the split, the sampler and the networks")


def _add_output_args(parser: argparse.ArgumentParser, *, default_out: str | None) -> None:
    group = parser.add_argument_group("output")
    group.add_argument(
        "--out",
        metavar="DIR",
        default=default_out,
        required=default_out is None,
        help="directory for report.html, model.joblib, summary.json (and trials.csv)",
    )
    _add_verbosity(group)


def _add_verbosity(group) -> None:
    group.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0,
        help="-v: also a progress bar over the epochs of each fit; -vv: Optuna's log lines",
    )
    group.add_argument("-q", "--quiet", action="store_true", help="no progress bars")


# ------------------------------------------------------------------- parser
def build_parser() -> argparse.ArgumentParser:
    """The ``skdl`` parser with its subcommands.

    Returns
    -------
    parser : argparse.ArgumentParser
    """
    from skdl import __version__

    prog = "skdl"
    parser = CLIParser(
        prog=prog,
        description="skdl: Keras networks as scikit-learn estimators, tuned with Optuna, "
        "with HTML reports.\n\nexample:\n  skdl tune --dataset digits --trials 20 --out runs/digits",
        epilog=EPILOG,
        formatter_class=_Formatter,
    )
    parser.add_argument("--version", action="version", version=f"skdl {__version__} (Python {sys.version.split()[0]})")
    parser.add_argument(
        "--traceback",
        action="store_true",
        help="on an error, show Python's traceback instead of one line (for bug reports)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=CLIParser)

    # tune --------------------------------------------------------------
    tune = sub.add_parser(
        "tune",
        help="search hyperparameters with Optuna, refit the best model, write a report",
        description="Hold out a test split, search the model's hyperparameters with "
        "cross-validation (Optuna TPE sampler, median pruning over epochs), refit the best "
        "pipeline on the training split and evaluate it on the test split.\n\n"
        "Writes to --out: report.html, model.joblib (the fitted scikit-learn Pipeline: "
        "preprocessing + network), trials.csv and summary.json. The study lives in --storage "
        "(default: DIR/study.db), so running the same command again resumes it up to --trials "
        "trials in total.\n\n"
        "examples:\n"
        "  skdl tune --dataset digits --trials 20 --out runs/digits\n"
        "  skdl tune --csv houses.csv --target price --timeout 600 --out runs/houses\n"
        "  skdl tune --dataset digits --model cnn --workers 2 --out runs/digits-cnn",
        epilog=EPILOG,
        formatter_class=_Formatter,
    )
    _add_data_args(tune, required=True)
    _add_model_args(tune)
    search = tune.add_argument_group("search")
    search.add_argument("--trials", type=positive_int, default=20, metavar="N",
                        help="trials the study holds when done, earlier runs included")
    search.add_argument("--timeout", type=positive_float, metavar="SECONDS",
                        help="stop starting new trials after this many seconds")
    search.add_argument("--cv", type=cv_folds, default=3, metavar="K", help="cross-validation folds per trial")
    search.add_argument(
        "--scoring",
        metavar="NAME",
        help="a scikit-learn scorer name to maximise (default: accuracy for "
        "classification, r2 for regression)",
    )
    search.add_argument("--ensemble", type=positive_int, default=ENSEMBLE_DEFAULT, metavar="K",
                        help="refit the K best trials and average their predictions "
                        "(1: refit the best trial alone)")
    search.add_argument("--refit-length", choices=("own", "folds"), default=REFIT_LENGTH_DEFAULT,
                        help="how long the refit of an early-stopping trial trains: 'own' stops "
                        "on its own validation split, 'folds' trains on all rows for the "
                        "median best epoch of the trial's folds")
    search.add_argument("--defaults-margin", type=non_negative_float, default=DEFAULTS_MARGIN_DEFAULT,
                        metavar="SE", help="keep trial 0 (the defaults) unless the best trial's mean "
                        "CV score beats it by more than SE standard errors (0: refit the best)")
    search.add_argument("--storage", metavar="URL",
                        help="Optuna storage: a database URL (sqlite:///x.db, postgresql://...) or a "
                        ".db/.log file (default: DIR/study.db)")
    search.add_argument("--study", metavar="NAME", default="skdl", help="name of the study in the storage")
    search.add_argument("--workers", type=positive_int, default=1, metavar="N",
                        help="processes running trials of the same study")
    search.add_argument("--heartbeat", type=positive_int, metavar="SECONDS",
                        help="heartbeat of running trials on a database server: a trial of a "
                        "worker lost on another machine fails after 3 missed beats and is run "
                        "again (default: 60 for postgresql/mysql URLs, off otherwise)")
    _add_split_args(tune)
    _add_output_args(tune, default_out=None)
    tune.set_defaults(handler="skdl.cli._tune:run")

    # train -------------------------------------------------------------
    train = sub.add_parser(
        "train",
        help="fit a model with fixed hyperparameters, write the same outputs as tune",
        description="Hold out a test split, fit the model with fixed hyperparameters on the "
        "training split and evaluate it on the test split. Writes report.html, model.joblib "
        "and summary.json to --out.\n\n"
        "Hyperparameters come from --params FILE (YAML or JSON: a mapping, or a tune "
        "summary.json whose best_params are reused) and --set KEY=VALUE (which wins).\n\n"
        "examples:\n"
        "  skdl train --dataset iris --set hidden_layer_sizes=[32] --out runs/iris-fixed\n"
        "  skdl train --dataset digits --params runs/digits/summary.json --epochs 200 --out runs/digits-long",
        epilog=EPILOG,
        formatter_class=_Formatter,
    )
    _add_data_args(train, required=True)
    _add_model_args(train)
    train.add_argument_group("hyperparameters").add_argument(
        "--params", metavar="FILE", help="YAML or JSON file of hyperparameters (or a tune summary.json)"
    )
    evaluation = train.add_argument_group("cross-validation")
    evaluation.add_argument("--cv", type=cv_folds, metavar="K",
                            help="also cross-validate on the training split with K folds")
    evaluation.add_argument("--scoring", metavar="NAME",
                            help="scorer reported as the main score (default: accuracy or r2)")
    _add_split_args(train)
    _add_output_args(train, default_out=None)
    train.set_defaults(handler="skdl.cli._train:run")

    # report ------------------------------------------------------------
    report = sub.add_parser(
        "report",
        help="HTML report of a saved model on data, or of a study (running or finished)",
        description="Two forms:\n\n"
        "  skdl report MODEL [--dataset NAME | --csv PATH --target COLUMN] [-o FILE]\n"
        "      Evaluate a saved model (a model.joblib, or the --out directory of tune/train) on "
        "data. Without data flags, the run's own test split is rebuilt from its summary.json "
        "(and its study is added when reachable).\n\n"
        "  skdl report --storage URL [--study NAME] [-o FILE]\n"
        "      Report an Optuna study while or after it runs: trial counts, the trials table "
        "and the search plots.",
        epilog=EPILOG,
        formatter_class=_Formatter,
    )
    report.add_argument("model", nargs="?", metavar="MODEL",
                        help="a model.joblib file or a run directory")
    _add_data_args(report, required=False)
    study_group = report.add_argument_group("study")
    study_group.add_argument("--storage", metavar="URL", help="Optuna storage URL or .db/.log file")
    study_group.add_argument("--study", metavar="NAME",
                             help="study name (default: the only study in the storage)")
    out_group = report.add_argument_group("output")
    out_group.add_argument("-o", "--output", metavar="FILE",
                           help="HTML file to write (default: report.html, or study_report.html "
                           "for a study)")
    report.set_defaults(handler="skdl.cli._report:run")

    # predict -----------------------------------------------------------
    predict = sub.add_parser(
        "predict",
        help="predictions of a saved model for a CSV file",
        description="Load a saved model (model.joblib, or a run directory) and write one "
        "prediction per row of a CSV file. The CSV needs the feature columns the model was "
        "trained on; other columns (an ID, the target) are ignored unless --keep copies them.\n\n"
        "example:\n  skdl predict runs/iris --csv new_flowers.csv --proba -o predictions.csv",
        epilog=EPILOG,
        formatter_class=_Formatter,
    )
    predict.add_argument("model", metavar="MODEL", help="a model.joblib file or a run directory")
    predict.add_argument("--csv", metavar="PATH", required=True, help="rows to predict")
    predict.add_argument("--sep", metavar="SEP", help="field separator (default: detected)")
    predict.add_argument("-o", "--output", metavar="FILE", default="predictions.csv",
                         help="CSV file to write ('-' for standard output)")
    predict.add_argument("--proba", action="store_true",
                         help="also one probability column per class (classifiers)")
    predict.add_argument("--keep", metavar="COLUMN", action="append", default=[],
                         help="copy this input column into the output, e.g. an ID (repeatable)")
    predict.set_defaults(handler="skdl.cli._predict:run")

    # datasets ----------------------------------------------------------
    datasets = sub.add_parser(
        "datasets",
        help="list bundled and downloadable datasets with sizes and tasks",
        description="List every dataset --dataset accepts: bundled ones (no network) and "
        "downloadable ones (fetched once, then cached in ~/.skdl/datasets or $SKDL_DATA).",
        epilog=EPILOG,
        formatter_class=_Formatter,
    )
    datasets.add_argument("--json", action="store_true", help="print the table as JSON records")
    datasets.set_defaults(handler="skdl.cli._datasets:run")
    return parser
