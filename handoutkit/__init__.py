"""handoutkit: printable psychoeducation handouts from plain YAML modules.

Data flows one way: load (``sources``) → validate (``models``, ``problems``) →
collect (``library``) → render HTML (``render``) → PDF (``pdf``) → write (``output``).
The command line (``cli``) is a thin layer over these.
"""

__version__ = "0.1.0"
