"""Where a run is large enough for more processes: the one threshold every part reads.

From LARGE_RUN bodies a run reads websites in processes of its own (pipeline.session), writes
its outputs while it runs in a follower process (report.follow) and its remaining outputs side
by side in writer processes (report.outputs). A process takes ~0.5 s to start; below this size
the work is done before processes would have started."""

LARGE_RUN = 1000

# From this many bodies the HTML report is a small site of pages (report.site) instead of one
# index.html of ~12 KB a body. Headless Chromium (benchmarks/national.py --single) opens the
# single page of 500 bodies (5.9 MB) in 1.4 s, of 1 000 (11.9 MB) in 2.6 s, of 2 000 (23.7 MB)
# in 6.4 s, of 10 000 in 88 s; any page of the site in about 0.1 s.
SITE_FROM = 1000
