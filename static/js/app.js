// Behaviour shared by every page. No inline scripts anywhere: the Content Security Policy
// allows scripts from our origin only; page-specific code lives in its own static file.

// htmx swaps 2xx answers only by default. Our views answer a form with errors (or invalid
// filters) with 400 and the form or results showing them, like a page without JavaScript
// gets: swap those too, and keep treating other 4xx/5xx answers as errors.
if (window.htmx) {
  window.htmx.config.responseHandling = [
    { code: "204", swap: false },
    { code: "[23]..", swap: true },
    { code: "400", swap: true, error: false },
    { code: "[45]..", swap: false, error: true },
    { code: "...", swap: false },
  ];
}
