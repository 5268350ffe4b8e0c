"""Tests of bankmind.documents: sniffing, the zip-bomb guard, upload intake and OCR."""
