"""Fast liquid kernels: drop-in replacements for ``ncps.torch.LTC`` and ``ncps.torch.CfC``.

Both modules take the constructor arguments of ncps 1.0.1, have its ``state_dict`` keys
(ncps checkpoints load; equal seeds give equal initial weights) and compute its outputs
and gradients (to float32 rounding).  The LTC's synapses and ODE solver, and the whole
sequence (forward and backward) of the CfC -- every mode ("default", "no_gate", "pure"),
with no backbone or one "lecun_tanh" or "tanh" backbone layer, with mixed memory, and
NCP-wired stacks layer by layer -- run in native C++ kernels for float32 CPU tensors,
compiled on first use (a few seconds; g++ and ninja needed) into torch's extension cache;
the CfC kernel's matrix products call the BLAS ``sgemm`` inside torch.  Without them
(build failure, other dtypes or devices, ``LNNMETA_NATIVE=0``) both run in eager
PyTorch (the common CfC configuration -- one unwired cell, one such backbone layer, mode
"default" or "no_gate", no mixed memory -- with a hand-written backward pass), as do
other backbones (several layers, other activations) everywhere.
Differences from ncps:

* time spans of shape (B, T) or (B, T, 1) -- time-major (T, B) or (T, B, 1) when
  ``batch_first=False`` -- are applied per step and per sample (ncps 1.0.1 squeezes each
  step's spans to (B,) and broadcasts them against the units: an error when B differs
  from the number of units, silently wrong when equal); a Python float or 0-d tensor is
  one span for every step;
* when no state is given, the zero state takes the input's dtype.

Examples
--------
>>> import torch
>>> from lnnmeta.kernels import CfC, LTC
>>> x = torch.randn(4, 10, 8)
>>> out, h = LTC(8, 32)(x, timespans=torch.rand(4, 10))
>>> out.shape, h.shape
(torch.Size([4, 10, 32]), torch.Size([4, 32]))
>>> out, h = CfC(8, 32, mode="no_gate")(x)
>>> out.shape
torch.Size([4, 10, 32])
"""

from lnnmeta.kernels.cfc import CfC
from lnnmeta.kernels.ltc import LTC

__all__ = ["LTC", "CfC"]
