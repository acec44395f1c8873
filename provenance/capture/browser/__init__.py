"""Browser captures: a page rendered in headless Chromium whose every request is answered
by the capture fetcher; screenshot, rendered DOM and a WARC of its traffic."""
