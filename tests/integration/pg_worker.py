"""One worker of a shared search, run as a child process by test_postgres.py.

    python pg_worker.py URL STUDY N_TRIALS [--n-jobs N] [--score-sleep S]
                        [--hostname NAME] [--seed N]

Runs ``OptunaSearchCV`` on iris (MLP (4,), 3 epochs, 2-fold CV, learning rate
searched) against the study STUDY in URL, with Optuna's heartbeat on (1 s, failed
after 3 s of silence), until the study holds N_TRIALS counted trials.

``--score-sleep`` makes each fold's scoring take that long, so a trial stays
RUNNING long enough to be killed in the middle. ``--hostname`` makes this
process look like a worker on another machine (the trials it runs record that
host): the local dead-process check then leaves its trials alone and only the
heartbeat can fail them, as across real machines.
"""

import argparse
import socket
import time

HEARTBEAT_INTERVAL = 1
GRACE_PERIOD = 3


class SlowAccuracy:
    """Accuracy, after a pause (a module-level class: worker processes unpickle it)."""

    def __init__(self, sleep: float) -> None:
        self.sleep = sleep

    def __call__(self, estimator, X, y) -> float:
        from sklearn.metrics import accuracy_score

        time.sleep(self.sleep)
        return float(accuracy_score(y, estimator.predict(X)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("study")
    parser.add_argument("n_trials", type=int)
    parser.add_argument("--n-jobs", type=int, default=1)
    parser.add_argument("--score-sleep", type=float, default=0.0)
    parser.add_argument("--hostname")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.hostname:
        socket.gethostname = lambda: args.hostname  # before skdl records the worker tag

    from optuna.distributions import FloatDistribution
    from sklearn.datasets import load_iris

    from skdl import MLPClassifier
    from skdl.tuning import OptunaSearchCV, get_storage

    X, y = load_iris(return_X_y=True)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    storage = get_storage(args.url, heartbeat_interval=HEARTBEAT_INTERVAL,
                          grace_period=GRACE_PERIOD)
    search = OptunaSearchCV(
        MLPClassifier(hidden_layer_sizes=(4,), epochs=3, batch_size=32, random_state=0),
        {"learning_rate": FloatDistribution(1e-3, 3e-1, log=True)},
        n_trials=args.n_trials, cv=2, scoring=SlowAccuracy(args.score_sleep), refit=False,
        storage=storage, study_name=args.study, load_if_exists=True, n_jobs=args.n_jobs,
        random_state=args.seed,
    )
    search.fit(X, y)
    print(f"done: {search.n_trials_} counted trials, best {search.best_score_:.4f}", flush=True)


if __name__ == "__main__":
    main()
