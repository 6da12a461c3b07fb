"""`panelpapers import PAPER.docx content/<meeting>/<NN-name>`: an existing Word paper becomes a paper
folder. The stages, one module each, in the order data flows: `opening` (the file's safety checks),
`reading` (the DOCX as a flat list of blocks with style, numbering and formatting), `furniture`
(what a page prints that is not content: numbers, contents pages, running heads, markings), `placing`
(blocks into section files), `writing` (YAML, CSV, images, the folder written atomically) and `report`
(what was found and where it went). `command` runs them for the command line."""
