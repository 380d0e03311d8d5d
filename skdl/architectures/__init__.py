"""Architecture builders and their registry.

A builder is a plain function ``builder(meta, **hyperparameters) -> keras.Model``
returning an uncompiled model (see docs/design.md and docs/architectures.md).
Importing this package registers the presets but does not import Keras; each
builder imports it when called.
"""

from skdl.architectures._cnn import build_alexnet, build_lenet, build_simple_cnn, build_vgg
from skdl.architectures._inception import build_inception
from skdl.architectures._mlp import build_mlp
from skdl.architectures._names import (
    ACTIVATIONS,
    AUGMENTATIONS,
    FLIP_MODES,
    PADDINGS,
    POOLINGS,
)
from skdl.architectures._resnet import build_resnet
from skdl.architectures._registry import (
    ArchitectureInfo,
    get_architecture,
    get_architecture_info,
    list_architectures,
    register_architecture,
    unregister_architecture,
)

__all__ = [
    "ACTIVATIONS",
    "AUGMENTATIONS",
    "ArchitectureInfo",
    "FLIP_MODES",
    "PADDINGS",
    "POOLINGS",
    "build_alexnet",
    "build_inception",
    "build_lenet",
    "build_mlp",
    "build_resnet",
    "build_simple_cnn",
    "build_vgg",
    "get_architecture",
    "get_architecture_info",
    "list_architectures",
    "register_architecture",
    "unregister_architecture",
]
