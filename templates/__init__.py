"""Packaged templates, print CSS, fonts and the reference .docx of panelpapers. This file makes the
folder a package so that importlib.resources finds it in an installed panelpapers."""
