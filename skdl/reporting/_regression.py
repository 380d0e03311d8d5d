"""Regression plots: predicted vs true and residuals, drawn by sklearn."""

from __future__ import annotations

import numpy as np

from skdl.reporting._utils import final_step, import_pyplot

__all__ = ["RegressionDisplay"]


class RegressionDisplay:
    """Predicted vs true values and residuals vs predicted, side by side.

    Both panels are drawn by sklearn's
    :class:`~sklearn.metrics.PredictionErrorDisplay`. Multi-output targets
    are pooled (all outputs in one cloud). The title gives R² and RMSE as
    computed by :func:`sklearn.metrics.r2_score` and
    :func:`sklearn.metrics.root_mean_squared_error` on the pooled values.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,) or (n_samples, n_outputs)
    name : str, default=None
        Model name for the title.

    Attributes
    ----------
    r2_, rmse_ : float
        The numbers shown in the title.
    axes_ : list of two Axes
    figure_ : matplotlib Figure
    displays_ : list of sklearn PredictionErrorDisplay

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.linear_model import Ridge
    >>> from skdl.reporting import RegressionDisplay
    >>> X, y = load_diabetes(return_X_y=True)
    >>> disp = RegressionDisplay.from_estimator(Ridge().fit(X, y), X, y)  # doctest: +SKIP
    """

    def __init__(self, y_true, y_pred, *, name=None):
        self.y_true = np.asarray(y_true, dtype=float)
        self.y_pred = np.asarray(y_pred, dtype=float)
        self.name = name
        from sklearn.metrics import r2_score, root_mean_squared_error

        yt, yp = self.y_true.ravel(), self.y_pred.ravel()
        self.r2_ = float(r2_score(yt, yp))
        self.rmse_ = float(root_mean_squared_error(yt, yp))

    @classmethod
    def from_predictions(cls, y_true, y_pred, *, name=None, **plot_kwargs):
        """Plot predictions against the true targets.

        Parameters
        ----------
        y_true, y_pred : array-like
        name : str, default=None
        **plot_kwargs
            Passed to :meth:`plot`.

        Returns
        -------
        RegressionDisplay
        """
        return cls(y_true, y_pred, name=name).plot(**plot_kwargs)

    @classmethod
    def from_estimator(cls, estimator, X, y, *, name=None, **plot_kwargs):
        """Predict ``X`` with a fitted regressor and plot against ``y``.

        Parameters
        ----------
        estimator : fitted regressor
        X, y : array-like
        name : str, default=None
            Default the estimator's class name.
        **plot_kwargs
            Passed to :meth:`plot`.

        Returns
        -------
        RegressionDisplay
        """
        return cls.from_predictions(y, estimator.predict(X), name=name or type(final_step(estimator)).__name__, **plot_kwargs)

    def plot(self, ax=None, *, subsample: int | None = 1000, random_state=0, **kwargs):
        """Draw the two panels.

        Parameters
        ----------
        ax : pair of matplotlib Axes, default=None
            Axes for the predicted-vs-true and the residual panels; a new
            figure when None.
        subsample : int or None, default=1000
            Largest number of points drawn (sklearn's ``subsample``).
        random_state : int, default=0
            Seed of the subsampling.
        **kwargs
            Passed to matplotlib's ``scatter`` (e.g. ``alpha``, ``s``).

        Returns
        -------
        self
        """
        from sklearn.metrics import PredictionErrorDisplay

        plt = import_pyplot(purpose="RegressionDisplay.plot")
        if ax is None:
            fig, axes = plt.subplots(1, 2, figsize=(11.0, 5.0), layout="constrained")
        else:
            axes = list(np.ravel(np.asarray(ax, dtype=object)))
            if len(axes) != 2:
                raise ValueError(f"RegressionDisplay.plot draws two panels: pass two axes. Got {len(axes)}.")
            fig = axes[0].figure
        yt, yp = self.y_true.ravel(), self.y_pred.ravel()
        self.displays_ = []
        for ax, kind, title in zip(axes, ("actual_vs_predicted", "residual_vs_predicted"),
                                   ("Predicted vs true", "Residuals vs predicted")):
            d = PredictionErrorDisplay.from_predictions(
                yt, yp, kind=kind, subsample=subsample, random_state=random_state, ax=ax,
                scatter_kwargs={"alpha": 0.5, "s": 14, **kwargs},
            )
            ax.set_title(title)
            self.displays_.append(d)
        from matplotlib.ticker import AutoLocator

        for axis in (axes[0].xaxis, axes[0].yaxis):  # sklearn puts ticks at min..max; round ones read better
            axis.set_major_locator(AutoLocator())
            axis.set_major_formatter(plt.ScalarFormatter())
        self.axes_, self.figure_ = list(axes), fig
        title = f"R² = {self.r2_:.3f}, RMSE = {self.rmse_:.3g}"
        if self.y_true.ndim == 2 and self.y_true.shape[1] > 1:
            title += f" ({self.y_true.shape[1]} outputs pooled)"
        fig.suptitle(f"{self.name}: {title}" if self.name else title)
        return self
