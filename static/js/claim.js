// The claim page and its entering forms (loaded on those pages only; no inline script).
"use strict";

// A form loaded into the page takes the keyboard focus, so it is where the person is.
document.addEventListener("htmx:afterSwap", (event) => {
  const target = event.detail.target;
  if (target && target.id === "appearance-slot") {
    const first = target.querySelector("input:not([type=hidden]), select, textarea");
    if (first) first.focus();
  }
});
