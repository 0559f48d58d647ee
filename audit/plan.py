"""Where a run is large enough for more processes: the one threshold every part reads.

From LARGE_RUN bodies a run reads websites in processes of its own (pipeline.session), writes
its outputs while it runs in a follower process (report.follow) and its remaining outputs side
by side in writer processes (report.outputs). A process takes ~0.5 s to start; below this size
the work is done before processes would have started."""

LARGE_RUN = 1000

# From this many bodies the HTML report is a small site of pages (report.site) instead of one
# index.html: one page of N bodies is ~13 KB × N, and a browser opens 2 000 bodies' 26 MB in
# seconds but 10 000 bodies' 130 MB in minutes.
SITE_FROM = 2000
