"""Checks of the estimator core, run by tests/test_backends.py under one backend."""

import pickle
import sys
import warnings

import numpy as np
from sklearn.datasets import load_iris, make_regression
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import skdl
from skdl import MLPClassifier, MLPRegressor
from skdl.training._pool import POOL

warnings.simplefilter("ignore")
X, y = load_iris(return_X_y=True)
base = dict(hidden_layer_sizes=(16,), epochs=30, learning_rate=0.01, patience=None, random_state=0)

first = MLPClassifier(dropout=0.1, **base).fit(X, y).predict_proba(X)  # estimator dropped
hits = POOL.hits
a = MLPClassifier(dropout=0.1, **base).fit(X, y)
assert POOL.hits == hits + 1, "the second fit did not reuse the compiled graph"
assert np.array_equal(a.predict_proba(X), first), "same seed, different result"
assert a.score(X, y) > 0.8, a.score(X, y)

back = pickle.loads(pickle.dumps(a))
assert np.array_equal(back.predict_proba(X), a.predict_proba(X)), "pickle round trip"

cv = StratifiedKFold(3, shuffle=True, random_state=0)
scores = cross_val_score(make_pipeline(StandardScaler(), MLPClassifier(**base)), X, y, cv=cv)
assert scores.mean() > 0.85, scores

es = MLPClassifier(early_stopping=True, validation_fraction=0.3, hidden_layer_sizes=(8,), epochs=50,
                   patience=3, random_state=0).fit(np.repeat(X, 2, axis=0), np.repeat(y, 2))
assert "val_loss" in es.history_ and es.best_epoch_ < es.n_iter_

ev = MLPClassifier(**base).fit(X[::2], y[::2], eval_set=(X[1::2], y[1::2]))
assert len(ev.history_["eval_accuracy"]) == 30

Xr, yr = make_regression(n_samples=80, n_features=4, noise=1.0, random_state=0)
reg = MLPRegressor(**base).fit(Xr, yr)
assert reg.predict(Xr).shape == (80,) and reg.score(Xr, yr) > 0.5

import keras  # noqa: E402


def frozen(meta=None, compile_kwargs=None):  # lr 0: both engines see the same outputs
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(
        1, activation="sigmoid", kernel_initializer=keras.initializers.Constant(0.3))])
    model.compile(optimizer=keras.optimizers.SGD(0.0), loss="binary_crossentropy", metrics=["accuracy"])
    return model


# 40 rows at batch 16: the compiled engine's padded last batch logs what Keras' partial one does
Xb, yb = Xr[:40].astype("float32"), (yr[:40] > 0).astype(int)
logs = [skdl.KerasClassifier(frozen, epochs=1, batch_size=16, engine=e, random_state=0).fit(Xb, yb).history_
        for e in ("compiled", "keras")]
assert all(np.allclose(logs[0][k], logs[1][k], rtol=1e-5) for k in logs[1]), logs

# a Keras callback that sets the rate in on_epoch_begin reaches the compiled fit (JAX keeps its own state)
halve = keras.callbacks.LearningRateScheduler(lambda epoch, lr: lr if epoch == 0 else lr / 2)
sched = MLPClassifier(**{**base, "epochs": 3}).fit(X, y, callbacks=[halve])
assert np.allclose(sched.history_["learning_rate"], [0.01, 0.005, 0.0025]), sched.history_["learning_rate"]

print(f"backend={keras.backend.backend()}")
print(f"tensorflow imported={'tensorflow' in sys.modules}")
print("skdl", skdl.__version__, "ALL OK")
