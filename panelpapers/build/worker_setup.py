"""Imported by the workers' server before it forks any worker (worker.WORKER_MODULES): the set-up
every worker would otherwise repeat for itself is done once, and each worker is forked with it.
matplotlib's (the Agg backend, the bundled fonts registered, the house's settings) takes a quarter
to half a second; nothing here changes what a worker draws, only when it is set up."""

from panelpapers.data.charts import pyplot

pyplot()
