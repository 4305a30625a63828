"""Views: tables, network diagrams, figures, slider panels and the notebook helpers that glue numbers
into prose. They draw what the engine computes; they compute nothing of their own."""
