"""HTTP fetch captures: the guarded, bounded fetcher and turning its result into a capture.

The fetcher is also what answers a browser page's requests (browser.router) and sets the
limits of media downloads (media.transport)."""
