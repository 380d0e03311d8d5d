"""8x8 digits with a convolutional network: flat pixels in a Pipeline,
``input_shape=(8, 8, 1)``, early stopping and learning curves.

Run::

    python docs/examples/plot_digits_cnn.py [OUT_DIR]

Writes ``digits_cnn_learning_curves.png`` (loss and accuracy per epoch on the
training data, the internal validation split and the test set) and
``digits_cnn_confusion.png`` to OUT_DIR (default: a new temporary directory).
``SKDL_EXAMPLE_FAST=1`` shrinks the budgets (used by the test suite).
"""

import os
import sys
import tempfile

import matplotlib

matplotlib.use("Agg")

from sklearn.datasets import load_digits  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import MinMaxScaler  # noqa: E402

from skdl import CNNClassifier  # noqa: E402
from skdl.reporting import ConfusionDisplay, HistoryDisplay  # noqa: E402

FAST = os.environ.get("SKDL_EXAMPLE_FAST") == "1"


def main(out_dir=None):
    out_dir = out_dir or tempfile.mkdtemp(prefix="skdl-digits-cnn-")
    os.makedirs(out_dir, exist_ok=True)

    X, y = load_digits(return_X_y=True)  # 1797 images of 8x8 pixels, as 64 flat columns
    if FAST:
        X, y = X[:900], y[:900]
    X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)

    # The scaler sees 64 flat columns; the CNN reshapes each row to an 8x8x1 image.
    cnn = CNNClassifier(
        input_shape=(8, 8, 1),
        filters=(16, 32),
        kernel_size=3,
        dense_layer_sizes=(64,),
        dropout=0.2,
        learning_rate=0.003,
        lr_schedule="cosine",    # decays to 0 over `epochs`; drawn in the last panel
        epochs=8 if FAST else 30,
        early_stopping=True,     # holds out 10% of the training rows (stratified)
        patience=5,
        random_state=0,
    )
    pipe = make_pipeline(MinMaxScaler(), cnn)

    # eval_set is monitored after every epoch but never used for stopping; in a
    # Pipeline it has to be transformed by the fitted preprocessing first, so
    # fit the scaler here and hand the CNN the scaled test set.
    scaler = pipe[0].fit(X_train)
    cnn.fit(scaler.transform(X_train), y_train,
            eval_set=(scaler.transform(X_test), y_test))

    print(f"{cnn.n_iter_} epochs trained, best epoch {cnn.best_epoch_ + 1} "
          f"(weights restored from it)")
    print(f"test accuracy: {pipe.score(X_test, y_test):.3f}")

    curves = HistoryDisplay.from_estimator(cnn, name="CNN on 8x8 digits")
    curves.figure_.savefig(os.path.join(out_dir, "digits_cnn_learning_curves.png"), dpi=100,
                           bbox_inches="tight")
    confusion = ConfusionDisplay.from_estimator(pipe, X_test, y_test, name="CNN on 8x8 digits")
    confusion.figure_.savefig(os.path.join(out_dir, "digits_cnn_confusion.png"), dpi=100,
                              bbox_inches="tight")
    print(f"Plots written to {out_dir}")
    return out_dir


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
