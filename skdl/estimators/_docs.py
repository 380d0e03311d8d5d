"""Docstring fragments for the parameters every skdl estimator shares.

One wording per parameter, so the MLP, CNN and Keras estimators describe
``random_state``, ``early_stopping``, ``callbacks``... the same way; only the
defaults differ and are filled in. The result is a template still to be
``.format``-ed by the estimator module (``{loss_doc}``, ``{metrics_doc}``),
so literal braces are doubled.
"""

from __future__ import annotations

__all__ = ["training_params"]


def training_params(*, optimizer="adam", optimizer_doc=None, learning_rate="0.001", epochs, patience="10",
                    loss_default="None", augmentation=False,
                    callback_copy="copied per fit (fits never share state)") -> str:
    """The numpydoc entries from ``optimizer`` to ``**kwargs`` (a ``str.format`` template).

    Parameters
    ----------
    optimizer, learning_rate, epochs, patience, loss_default : str
        The estimator's defaults, as shown after ``default=``.
    optimizer_doc : str, default=None
        Replaces the optimizer's description.
    augmentation : bool, default=False
        Mention augmentation among what ``random_state`` seeds.
    callback_copy : str
        What happens to callback instances.
    """
    optimizer_doc = optimizer_doc or (
        "Any Keras optimizer by name (adam, sgd, rmsprop, adadelta, adagrad,\n"
        "        adamax, nadam, ftrl, adamw, lion, lamb, adafactor), class or instance; its\n"
        "        options are routed, e.g. ``optimizer__momentum=0.9``."
    )
    seeds = "weights, shuffling, dropout, augmentation and the validation split" if augmentation else \
        "weights, shuffling, dropout and the validation split"
    lr_doc = ("\n        ``None`` keeps the optimizer's own default." if learning_rate == "None" else "")
    patience_doc = (
        "Epochs without improvement of ``monitor`` by ``min_delta`` before\n"
        "        stopping. Without early stopping ``monitor`` is the training loss\n"
        "        (scikit-learn's ``n_iter_no_change``/``tol``); ``None`` trains for\n"
        "        exactly ``epochs`` (early stopping then still restores the best epoch)."
    )
    return f"""    optimizer : str, keras Optimizer class or instance, default="{optimizer}"
        {optimizer_doc}
    learning_rate : float or keras LearningRateSchedule, default={learning_rate}{lr_doc}
    batch_size : int or "auto", default=32
        Rows per batch; "auto" is scikit-learn's ``min(200, n_samples)``.
    epochs : int or "auto", default={epochs}
        Maximum number of passes over the training data. "auto" is a budget
        in weight updates: at most 10 000 updates on the rows the fit trains
        on, and 10 to 200 epochs (up to ~1 600 rows at batch 32 that is 200
        epochs; 50 000 rows get 10). The stop rule below still ends a fit
        sooner.
    lr_schedule : str, EpochSchedule, callable or keras LearningRateSchedule, default=None
        Per-epoch learning-rate schedule ("step", "cosine", "cosine_restarts",
        "warmup", "plateau", ...; options routed as ``lr_schedule__…``, see
        docs/schedules.md). A Keras ``LearningRateSchedule`` (per optimizer
        step) becomes the optimizer's learning rate.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training data (stratified for
        classifiers) and stop when ``monitor`` stops improving by
        ``min_delta`` for ``patience`` epochs; the best weights are restored.
        With too few samples for a meaningful split (fewer than 30 validation
        rows), warn and train on all rows.
    validation_fraction : float, default=0.1
    patience : int or None, default={patience}
        {patience_doc}
    min_delta : float, default=1e-4
    monitor : str, default=None
        Logged value to watch: ``"val_loss"`` with early stopping, else ``"loss"``.
    loss : str, callable, class, list or dict, default={loss_default}
        {{loss_doc}} Also a Keras loss function, class or instance, and for
        a model with several outputs a list or dict of these. Classes (and
        names given options) are built with their ``loss__`` options:
        ``loss__<param>`` for every item, ``loss__<index or key>__<param>``
        for one.
    metrics : str, callable, class, list or dict, default=None
        Compiled metrics logged per epoch ({{metrics_doc}}): a metric name,
        function, class or instance, a list of them, or for a model with
        several outputs a list or dict per output. Classes (and names given
        options) are built with their ``metrics__`` options, routed as for
        ``loss``.
    callbacks : callback, list or dict, default=None
        Keras callbacks, skdl callbacks (:mod:`skdl.training.callbacks`) or
        objects with ``on_epoch_end(epoch, logs)``: one, a list or a dict of
        them. Instances are {callback_copy}, classes are built with
        their routed options (``callbacks__<name, key or position>__<param>``,
        ``callbacks__<param>`` for every class that takes it, ``callbacks__0``
        for a positional argument). Keras callbacks with predict hooks are
        also called by ``predict``.
    checkpoint : str or path, default=None
        ``.keras`` path where the best model so far is written atomically.
    random_state : int, RandomState instance or None, default=None
        Seeds {seeds}: with an int, two fits give identical predictions on CPU.
    verbose : int, default=0
        0 prints nothing; 1 prints one line per epoch.
    warm_start : bool, default=False
        Continue training from the previous fit's weights.
    engine : {{{{"auto", "compiled", "keras"}}}}, default="auto"
        "compiled" (the default on TensorFlow and JAX) trains whole epochs in
        one compiled call and reuses compiled networks across fits of the same
        architecture; "keras" drives ``model.fit``.
    **kwargs
        Routed options: ``model__…``, ``optimizer__…``, ``loss__…``,
        ``compile__…``, ``fit__…``, ``callbacks__…``, ``lr_schedule__…``{{extra_kwargs}}.
"""
