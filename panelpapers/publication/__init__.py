"""Publication: `panelpapers publish MEETING` freezes a meeting's built variants as numbered versions
under published/<meeting>/, each with its record, and lists them in index.json and index.html."""
