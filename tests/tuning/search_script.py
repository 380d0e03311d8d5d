"""Child-process search used by test_storage.py: python search_script.py STORAGE N_TRIALS SLEEP SEED."""

import sys

from optuna.distributions import FloatDistribution
from sklearn.datasets import make_classification
from skdl_tuning_fakes import EpochSGDClassifier

from skdl.tuning import OptunaSearchCV

if __name__ == "__main__":
    storage, n_trials, sleep, seed = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
    X, y = make_classification(n_samples=120, n_features=6, random_state=0)
    OptunaSearchCV(
        EpochSGDClassifier(epochs=2, sleep=sleep),
        {"alpha": FloatDistribution(1e-5, 1e-1, log=True)},
        n_trials=n_trials, cv=2, storage=storage, study_name="shared",
        load_if_exists=True, random_state=seed,
    ).fit(X, y)
    print("done")
