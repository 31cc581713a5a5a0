"""What was made of unchanged rule files, kept between runs: the diagnostics a check
gave (:mod:`.check_cache`, in ``checked/``) and the programs compiled
(:mod:`.program_cache`, in ``programs/``, with the schemas rule files declare in
``schemas/``; its values written as tagged JSON by :mod:`.encoding`).

An entry is used only while its key matches: clusterkit's version and a fingerprint
of its own files (every module and the grammar, by path, size and time of change),
Python's version, the language, the folders and the bytes of every rule file read.
Anything else is a miss, never a wrong answer and never a traceback.
"""
