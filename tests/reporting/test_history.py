

def test_constant_learning_rate_panel_says_so(pyplot):
    from skdl.reporting import HistoryDisplay

    hist = {"loss": [1.0, 0.5, 0.4], "learning_rate": [0.001, 0.001, 0.001]}
    disp = HistoryDisplay.from_history(hist).plot()
    ax = disp.axes_["learning_rate"]
    assert "constant 0.001" in ax.get_title()
    assert ax.get_ylim() == (0.0, 0.002)
