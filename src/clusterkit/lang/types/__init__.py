"""What every stage of the language speaks of: the types of values (``value_types``)
and their units and dimensions (``units``).

Below the checker, the built-in functions and the runtime, which all use them, so that
the stages' imports point one way.
"""
