"""The meeting pack: the agenda front sheet with the page each paper starts on, and the merged PDF."""
