"""The registry: decorator and call forms, duplicates, helpful lookup errors."""

import subprocess
import sys

import pytest

from skdl.architectures import (
    ArchitectureInfo,
    build_mlp,
    get_architecture,
    get_architecture_info,
    list_architectures,
    register_architecture,
    unregister_architecture,
)


@pytest.fixture
def registered():
    """Names registered by a test, removed afterwards."""
    names = []
    yield names
    for name in names:
        if name in list_architectures():
            unregister_architecture(name)


def _builder(meta):  # never called: the registry does not build
    raise AssertionError


def test_import_does_not_import_keras():
    code = (
        "import sys, skdl.architectures as a; a.list_architectures(); "
        "assert not {'keras', 'tensorflow', 'jax'} & set(sys.modules), "
        "sorted({'keras', 'tensorflow', 'jax'} & set(sys.modules))"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_all_is_sorted():
    import skdl.architectures as arch

    assert arch.__all__ == sorted(arch.__all__)
    assert all(hasattr(arch, name) for name in arch.__all__)


def test_decorator_registers_and_returns_function(registered):
    @register_architecture("test_deco", input_kind="image", min_input_shape=(4, 5))
    def build(meta):
        return None

    registered.append("test_deco")
    assert callable(build) and build.__name__ == "build"
    assert "test_deco" in list_architectures()
    assert "test_deco" in list_architectures("image")
    assert "test_deco" not in list_architectures("tabular")
    assert get_architecture("test_deco") is build
    info = get_architecture_info("test_deco")
    assert info == ArchitectureInfo("test_deco", build, "image", (4, 5))
    assert get_architecture_info(build) is info


def test_call_form_and_duplicate(registered):
    assert register_architecture("test_call", _builder) is _builder
    registered.append("test_call")
    with pytest.raises(ValueError, match="'test_call' is already registered.*overwrite=True"):
        register_architecture("test_call", _builder)
    other = lambda meta: None  # noqa: E731
    register_architecture("test_call", other, overwrite=True)
    assert get_architecture("test_call") is other


def test_unknown_name_lists_names_and_suggests():
    with pytest.raises(ValueError, match=r"Unknown architecture 'mpl'.*'mlp'.*Did you mean 'mlp'\?"):
        get_architecture("mpl")
    with pytest.raises(ValueError, match="Registered architectures are"):
        get_architecture_info("nothing_like_it")


def test_callable_passes_through():
    assert get_architecture(_builder) is _builder
    info = get_architecture_info(_builder)
    assert info.input_kind is None and info.builder is _builder
    assert get_architecture_info(build_mlp).name == "mlp"


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"name": 3}, TypeError, "non-empty str"),
        ({"name": ""}, TypeError, "non-empty str"),
        ({"name": "x", "input_kind": "img"}, ValueError, "input_kind.*Did you mean 'image'"),
        ({"name": "x", "input_kind": "image", "min_input_shape": (4,)}, ValueError, r"\(height, width\)"),
        ({"name": "x", "min_input_shape": (0,)}, ValueError, "positive ints"),
    ],
)
def test_register_validation(kwargs, error, match):
    with pytest.raises(error, match=match):
        register_architecture(builder=_builder, **kwargs)


def test_decorator_without_name_explains():
    with pytest.raises(TypeError, match=r"@register_architecture\('my_net'\)"):
        register_architecture(_builder)


def test_non_callable_builder():
    with pytest.raises(TypeError, match="must be callable"):
        register_architecture("test_bad", 3)
    assert "test_bad" not in list_architectures()


def test_get_architecture_wrong_type():
    with pytest.raises(TypeError, match="registered name"):
        get_architecture(3)


def test_unregister_unknown():
    with pytest.raises(ValueError, match="Unknown architecture"):
        unregister_architecture("test_never")
