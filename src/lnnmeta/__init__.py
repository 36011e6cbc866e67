"""lnnmeta: do liquid neural networks beat recurrent networks? Reported results, reruns, statistics."""

__version__ = "0.1.0"
