"""Conversations written out for people and other programs: Markdown (``text``), a
self-contained HTML page and the rich text a PDF is printed from (``page``), and what they
share (``common``: the thread as exported, the words around it, file names). The flow that
writes them, one conversation, a selection or the whole library, with its archive, progress
and Cancel, is desktop/core/services/exporting.py. Pure Python: the PDF itself is printed by
Qt, in desktop/controllers/pdf.py.
"""
