// Behaviour shared by every page. No inline scripts anywhere: the Content Security Policy
// allows scripts from our origin only; page-specific code lives in its own static file.

// htmx swaps 2xx answers only by default. Our views answer a form with errors (or invalid
// filters) with 400 and the form or results showing them, like a page without JavaScript
// gets: swap those too, and keep treating other 4xx/5xx answers as errors.
if (window.htmx) {
  // Back and forward load the page afresh instead of restoring htmx's snapshot of it: a
  // snapshot holds widgets (the source picker, the graph) without their scripts and the
  // form as it was when the person left it, not as the address says; nor is page
  // content kept in the browser's session storage.
  window.htmx.config.historyCacheSize = 0;
  window.htmx.config.refreshOnHistoryMiss = true;
  window.htmx.config.responseHandling = [
    { code: "204", swap: false },
    { code: "[23]..", swap: true },
    { code: "400", swap: true, error: false },
    { code: "[45]..", swap: false, error: true },
    { code: "...", swap: false },
  ];
}
