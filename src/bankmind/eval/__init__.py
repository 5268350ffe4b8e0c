"""Evaluation: data loaders and metrics per capability, run by `bankmind eval <capability>`.

Evaluation data is read from a folder given at run time (default `../shared/data` when present),
never copied into the repository; generated sets are built in code with a fixed seed.
"""
