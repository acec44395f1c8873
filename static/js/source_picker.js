// Source picker: every <input data-source-search="URL"> becomes a search-as-you-type choice
// of one source (Tom Select), asking URL?q=<text> (sources:search, JSON {"results": [...]})
// as the person types. The input keeps its name, so its form sends the chosen source's id
// and a change event (htmx forms update on it). data-source-id and data-source-name give
// the source already chosen. Without JavaScript the input stays a plain text field, where
// the server accepts a source's id, handle, domain, URL or exact name.
(function () {
  "use strict";

  function option(item, escape) {
    var identifiers = item.identifiers && item.identifiers.length
      ? '<span class="small muted"> ' + escape(item.identifiers.join(", ")) + "</span>"
      : "";
    var kind = item.kind_label
      ? '<span class="small muted"> · ' + escape(item.kind_label) + "</span>"
      : "";
    return "<div>" + escape(item.name) + kind + identifiers + "</div>";
  }

  function enhance(input) {
    if (input.tomselect || !window.TomSelect) {
      return;
    }
    var url = input.dataset.sourceSearch;
    var options = [];
    if (input.dataset.sourceId) {
      // The server resolved what was typed (an id, handle or URL) to this source.
      input.value = input.dataset.sourceId;
      options.push({ id: input.dataset.sourceId, name: input.dataset.sourceName || "" });
    } else {
      input.value = ""; // nothing chosen, or text that names no source (its error shows)
    }
    var picker = new window.TomSelect(input, {
      maxItems: 1,
      create: false,
      valueField: "id",
      labelField: "name",
      searchField: [],
      options: options,
      loadThrottle: 250,
      maxOptions: null,
      placeholder: "Any source",
      plugins: { clear_button: { title: "Remove the source filter" } },
      // The server has already matched names, aliases and identifiers: keep its answer
      // as it is, in its order, rather than filtering it again by the visible text.
      score: function () {
        return function () {
          return 1;
        };
      },
      shouldLoad: function (query) {
        return query.trim().length > 0;
      },
      load: function (query, callback) {
        var self = this;
        fetch(url + "?q=" + encodeURIComponent(query), {
          headers: { Accept: "application/json" },
          credentials: "same-origin",
        })
          .then(function (response) {
            return response.ok ? response.json() : Promise.reject(response.status);
          })
          .then(function (data) {
            self.clearOptions(); // drop the last search's matches; the choice stays
            callback(data.results);
          })
          .catch(function () {
            callback();
          });
      },
      render: {
        option: option,
        item: function (item, escape) {
          return "<div>" + escape(item.name) + "</div>";
        },
        no_results: function () {
          return '<div class="no-results">No source matches.</div>';
        },
        loading: function () {
          return '<div class="loading">Searching…</div>';
        },
      },
    });
    // The original input now only carries the value (hidden, out of the tab order); the
    // label names the picker's combobox, so assistive technology skips the input.
    input.setAttribute("aria-hidden", "true");
    if (input.hasAttribute("aria-describedby")) {
      picker.control_input.setAttribute("aria-describedby", input.getAttribute("aria-describedby"));
    }
    // The typing box is not a field of the form: its own change events must not make
    // the form (htmx: "change") submit; the picker fires one on the input when a
    // source is chosen or removed.
    picker.control_input.addEventListener("change", function (event) {
      event.stopPropagation();
    });
  }

  document.querySelectorAll("input[data-source-search]").forEach(enhance);
})();
