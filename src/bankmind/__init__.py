"""bankmind: an on-premises AI workbench for small and medium-sized banks."""

__version__ = "0.1.0"
