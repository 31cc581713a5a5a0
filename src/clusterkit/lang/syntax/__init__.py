"""Rule text in and out: the grammar, the parser that makes the syntax tree, and the
formatter that writes a file back in one layout.

:mod:`.parser` parses ``grammar.lark`` with a lean LALR driver (:mod:`.lalr`) over
tables that ship made (:mod:`.lalr_tables`, written by ``python -m
clusterkit.lang.syntax.parser`` with :mod:`.lalr_build`); :mod:`.builder` (with
:mod:`.builder_items`) builds the tree of :mod:`clusterkit.lang.ast` as it reduces,
:mod:`.syntax_errors` words a syntax error, and :mod:`.collector` pauses the garbage
collector meanwhile. :mod:`.tokens` gives a file's tokens with its comments, which
:mod:`.formatter` lays out (``clusterkit fmt``).
"""
