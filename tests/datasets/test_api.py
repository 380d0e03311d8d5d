"""Package surface: list_datasets, cache location, lazy imports, doctests."""

import doctest
import importlib
import subprocess
import sys

import pytest

import skdl.datasets
from skdl.datasets import fetch_dataset, get_data_home, list_datasets


def test_all_is_sorted_and_resolves():
    assert skdl.datasets.__all__ == sorted(skdl.datasets.__all__)
    for name in skdl.datasets.__all__:
        assert getattr(skdl.datasets, name) is not None


def test_list_datasets_columns_and_rows(data_home):
    table = list_datasets()
    assert list(table.columns) == [
        "name", "task", "n_samples", "n_features", "image_shape", "n_classes",
        "source", "size_bytes", "size", "cached", "description",
    ]  # fmt: skip
    rows = table.set_index("name")
    assert {"iris", "digits", "wine", "breast_cancer", "diabetes", "fashion_mnist",
            "mnist", "cifar10", "cifar100", "sonar", "optdigits"} <= set(rows.index)  # fmt: skip
    assert rows.loc["diabetes", "task"] == "regression"
    assert rows.loc["cifar100", "n_classes"] == 100
    assert rows.loc["fashion_mnist", "image_shape"] == (28, 28, 1)
    assert rows.loc["fashion_mnist", "n_features"] == 784
    assert rows.loc["cifar10", "source"] == "download"
    assert rows.loc["cifar10", "size"] == "170.5 MB"
    assert not rows.loc[["fashion_mnist", "mnist", "cifar10", "cifar100", "sonar"], "cached"].any()


def test_list_datasets_sees_cached_files(data_home, fakes):
    fakes.make_fashion(data_home / "fashion-mnist")
    assert list_datasets().set_index("name").loc["fashion_mnist", "cached"]


def test_get_data_home_precedence(tmp_path, monkeypatch):
    monkeypatch.delenv("SKDL_DATA", raising=False)
    assert get_data_home().parts[-2:] == (".skdl", "datasets")
    monkeypatch.setenv("SKDL_DATA", str(tmp_path / "env"))
    assert get_data_home() == tmp_path / "env"
    assert get_data_home(tmp_path / "arg") == tmp_path / "arg"


def test_import_does_not_load_keras_or_tensorflow():
    code = (
        "import sys, skdl.datasets as d; d.list_datasets(); d.load_dataset('iris');"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('keras', 'tensorflow')];"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("module", ["_base", "_bundled", "_csv", "_fetch", "_images", "_openml"])
def test_docstring_examples(module):
    mod = importlib.import_module(f"skdl.datasets.{module}")
    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


def test_one_catalogue_and_one_name_rule():
    from skdl.datasets._catalog import BUNDLED, DOWNLOADABLE, all_names, dataset_key

    assert all_names() == [*BUNDLED, *DOWNLOADABLE] == list(list_datasets()["name"])
    for typed, key in [(" Fashion-MNIST", "fashion_mnist"), ("cifar-10", "cifar10"), ("CIFAR_100", "cifar100"),
                       ("breast-cancer", "breast_cancer"), ("fashionmnist", "fashion_mnist")]:
        assert dataset_key(typed) == key
    with pytest.raises(ValueError, match=r"Did you mean 'iris'\?"):
        fetch_dataset("irs")


def test_no_import_cycle_between_the_dataset_modules():
    """Imports between skdl/datasets/_*.py (module level or inside functions) form no cycle."""
    import ast
    from pathlib import Path

    folder = Path(skdl.datasets.__file__).parent
    graph = {}
    for path in folder.glob("_*.py"):
        targets = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("skdl.datasets._"):
                targets.add(node.module.rsplit(".", 1)[1])
        graph[path.stem] = targets
    assert {"_bundled", "_catalog", "_fetch"} <= set(graph)

    def visit(node, stack):
        assert node not in stack, f"import cycle: {' -> '.join([*stack, node])}"
        for nxt in graph.get(node, ()):
            visit(nxt, [*stack, node])

    for module in graph:
        visit(module, [])
