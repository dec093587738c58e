"""outpaint: image outpainting with GANs, after Sabini & Rusak (2018) and its Keras port.

Modules, in import order: ``config`` -> ``images``, ``geometry`` -> ``data``, ``models``,
``losses``, ``postprocess``, ``metrics``, ``baselines`` -> ``cli``.
"""

__version__ = "0.1.0"
