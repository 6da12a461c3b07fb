"""Resolving: validated content and computed data into the format-neutral model (numbering,
references, inline markup, the meeting and its agenda, public and restricted views)."""
