"""Lessons: one module per chapter topic, each naming its chapter in its docstring. They combine the
engine and the views into the panels a chapter shows."""
