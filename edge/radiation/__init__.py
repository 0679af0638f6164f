"""Radiation portal monitor results beyond the live reading: the ANSI N42.42 export (n42.py)."""
