"""The knowledge assistant: chunking, index, retrieval, grounded answers with citations.

Documents come in through `bankmind.documents` (loaders); answers go out with citations a reader
can check, and never beyond what the asking principal may read.
"""
