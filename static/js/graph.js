// The provenance graph panel (templates/provenance/graph_panel.html): Cytoscape.js with the
// dagre layout over GET /api/claims/<id>/graph/. The data address comes from the panel's
// data-graph-url; every text from the API is put in the page with textContent, never as
// markup. State for tests and other scripts: window.claimtrailGraphs[<claim id>] and the
// panel's data-node-count / data-visible-count / data-selected attributes.
(function () {
  "use strict";

  var TYPE_LABELS = {
    claim: "Claim",
    appearance: "Appearance",
    source: "Source",
    evidence: "Evidence",
    capture: "Capture",
  };
  // Shape and colour per type (the legend in graph.css uses the same colours).
  var STYLE = [
    {
      selector: "node",
      style: {
        label: "data(label)",
        "font-size": 10,
        "text-wrap": "ellipsis",
        "text-max-width": 140,
        "text-valign": "bottom",
        "text-margin-y": 4,
        "min-zoomed-font-size": 7,
        color: "#1f2933",
        width: 26,
        height: 26,
        "border-width": 1,
        "border-color": "#1f2933",
      },
    },
    { selector: 'node[type = "claim"]', style: { shape: "round-rectangle", "background-color": "#7b3fb0", width: 34 } },
    { selector: 'node[type = "claim"][role = "focus"]', style: { "border-width": 4, "border-color": "#111" } },
    { selector: 'node[type = "appearance"]', style: { shape: "ellipse", "background-color": "#2f6fbf" } },
    { selector: 'node[type = "appearance"][?origin]', style: { shape: "star", "background-color": "#d9480f", width: 34, height: 34 } },
    { selector: 'node[type = "source"]', style: { shape: "diamond", "background-color": "#2b8a3e" } },
    { selector: 'node[type = "evidence"]', style: { shape: "rectangle", "background-color": "#c08a00" } },
    { selector: 'node[type = "capture"]', style: { shape: "triangle", "background-color": "#6c757d", width: 18, height: 18 } },
    { selector: "node:selected", style: { "overlay-color": "#000", "overlay-opacity": 0.2, "border-width": 4, "border-color": "#e8590c" } },
    {
      selector: "edge",
      style: {
        width: 1.5,
        "curve-style": "bezier",
        "target-arrow-shape": "triangle",
        "arrow-scale": 0.8,
        "line-color": "#9aa5b1",
        "target-arrow-color": "#9aa5b1",
      },
    },
    { selector: 'edge[type = "derived_from"]', style: { width: 2.5, "line-color": "#2f6fbf", "target-arrow-color": "#2f6fbf" } },
    { selector: 'edge[type = "backs"]', style: { "line-color": "#2b8a3e", "target-arrow-color": "#2b8a3e" } },
    { selector: 'edge[type = "refutes"]', style: { "line-color": "#c92a2a", "target-arrow-color": "#c92a2a", "line-style": "dashed" } },
    { selector: 'edge[type = "related"]', style: { "line-color": "#7b3fb0", "target-arrow-color": "#7b3fb0", "line-style": "dotted", label: "data(label)", "font-size": 8 } },
    { selector: ".type-hidden", style: { display: "none" } },
  ];
  // tight-tree ranking: about half the time of network-simplex (dagre's default) at 170
  // nodes and 450 edges, and faster than longest-path too, for much the same picture.
  var LAYOUT = { name: "dagre", rankDir: "LR", ranker: "tight-tree", nodeSep: 18, rankSep: 70, animate: false, fit: true, padding: 20 };

  var BIG_GRAPH_NODES = 60;

  window.claimtrailGraphs = window.claimtrailGraphs || {};

  function recordLink(data) {
    if (data.type === "claim") return { href: "/claims/" + data.id + "/", text: "Open the claim" };
    if (data.type === "appearance") return { href: "/claims/" + data.claim + "/", text: "Open its claim" };
    if (data.type === "source") return { href: "/sources/" + data.id + "/", text: "Open the source" };
    if (data.type === "capture" && data.status === "succeeded") {
      return { href: "/api/captures/" + data.id + "/blob/", text: "Download the preserved copy" };
    }
    if (data.type === "evidence" && /^https?:\/\//.test(data.url || "")) {
      return { href: data.url, text: "Open the original", external: true };
    }
    return null;
  }

  var DETAIL_FIELDS = [
    ["review_state", "Review state"],
    ["verdict", "Verdict"],
    ["stance", "Stance"],
    ["published_at", "Published"],
    ["published_precision", "Date precision"],
    ["url", "Address"],
    ["kind", "Kind"],
    ["country", "Country"],
    ["reliability", "Reliability"],
    ["state_affiliated", "State-affiliated"],
    ["status", "Status"],
    ["method", "Method"],
    ["sha256", "SHA-256"],
    ["finished_at", "Finished"],
  ];

  function showDetails(panel, data) {
    var box = panel.querySelector(".graph-details");
    box.textContent = "";
    var heading = document.createElement("h3");
    heading.textContent = TYPE_LABELS[data.type] + (data.origin ? " (origin)" : "") + (data.role === "focus" ? " (this claim)" : "");
    var label = document.createElement("p");
    label.className = "graph-details-label";
    label.textContent = data.label;
    box.append(heading, label);
    var list = document.createElement("dl");
    DETAIL_FIELDS.forEach(function (pair) {
      var value = data[pair[0]];
      if (value === undefined || value === null || value === "") return;
      var dt = document.createElement("dt");
      dt.textContent = pair[1];
      var dd = document.createElement("dd");
      dd.textContent = typeof value === "boolean" ? (value ? "yes" : "no") : String(value);
      list.append(dt, dd);
    });
    box.append(list);
    var link = recordLink(data);
    if (link) {
      var a = document.createElement("a");
      a.href = link.href;
      a.textContent = link.text;
      if (link.external) a.rel = "noopener noreferrer";
      box.append(a);
    }
    panel.dataset.selected = data.id;
  }

  function updateCounts(panel, cy) {
    var visible = cy.nodes().not(".type-hidden").length;
    panel.dataset.nodeCount = String(cy.nodes().length);
    panel.dataset.visibleCount = String(visible);
    panel.querySelector(".graph-status").textContent =
      cy.nodes().length + " nodes (" + visible + " shown), " + cy.edges().length + " edges.";
  }

  function fillList(panel, cy, select) {
    var list = panel.querySelector(".graph-list-items");
    list.textContent = "";
    cy.nodes().forEach(function (node) {
      var data = node.data();
      var item = document.createElement("li");
      item.dataset.type = data.type;
      item.hidden = node.hasClass("type-hidden");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button link";
      button.textContent = TYPE_LABELS[data.type] + (data.origin ? " (origin)" : "") + ": " + data.label;
      button.addEventListener("click", function () { select(node); });
      item.append(button);
      list.append(item);
    });
  }

  function applyFilters(panel, cy) {
    panel.querySelectorAll("[data-graph-filter]").forEach(function (box) {
      var nodes = cy.nodes('[type = "' + box.dataset.graphFilter + '"]');
      if (box.checked) nodes.removeClass("type-hidden");
      else nodes.addClass("type-hidden");
    });
    panel.querySelectorAll(".graph-list-items li").forEach(function (item) {
      var box = panel.querySelector('[data-graph-filter="' + item.dataset.type + '"]');
      item.hidden = Boolean(box && !box.checked);
    });
    updateCounts(panel, cy);
  }

  function draw(panel, payload) {
    var container = panel.querySelector(".graph-canvas");
    var started = performance.now();
    var cy = window.cytoscape({
      container: container,
      elements: payload.elements,
      style: STYLE,
      layout: { name: "preset" },
      wheelSensitivity: 0.3,
      textureOnViewport: payload.elements.nodes.length > 200,
      hideEdgesOnViewport: payload.elements.nodes.length > 200,
      minZoom: 0.05,
      maxZoom: 3,
    });
    function select(node) {
      cy.nodes(":selected").unselect();
      node.select();
      showDetails(panel, node.data());
      panel.querySelector(".graph-details").focus();
    }
    cy.on("tap", "node", function (event) { select(event.target); });
    var direction = panel.querySelector("[data-graph-direction]");
    function layout() {
      var visible = cy.elements().not(".type-hidden");
      var big = visible.nodes().length > BIG_GRAPH_NODES;
      var rankDir = direction ? direction.value : "auto";
      if (rankDir === "auto") {
        // A big graph's widest rank (the many relays at one hop) runs down the page when
        // ranks go left to right, and fitting it makes every node a speck; ranks from the
        // bottom up lay it along the wide canvas, with the origin (upstream) at the top.
        rankDir = big ? "BT" : "LR";
      }
      // In a big graph, every appearance's edges to its claim and source span many ranks,
      // and dagre widens each rank they cross: rank by the provenance edges alone (the
      // claims and sources then sit in the first rank), and draw the others over it.
      var ranked = big ? visible.not('edge[type = "appears_in"], edge[type = "made_by"]') : visible;
      ranked.layout(Object.assign({}, LAYOUT, { rankDir: rankDir })).run();
      if (big) cy.fit(visible, 20);
      panel.dataset.rankDir = rankDir;
    }
    if (direction) direction.addEventListener("change", layout);
    applyFilters(panel, cy);
    layout();
    fillList(panel, cy, select);
    var state = {
      cy: cy,
      redraws: 0,
      // New elements in the same view: what is gone is removed, what is new added.
      replace: function (next) {
        cy.json({ elements: next.elements });
        state.truncated = next.truncated;
        state.origins = next.origins;
        applyFilters(panel, cy);
        layout();
        fillList(panel, cy, select);
        state.redraws += 1;
        panel.dispatchEvent(new CustomEvent("graph:redrawn", { bubbles: true }));
      },
      layoutMs: performance.now() - started,
      truncated: payload.truncated,
      origins: payload.origins,
      select: function (id) { select(cy.getElementById(id)); },
      visibleNodeCount: function () { return cy.nodes().not(".type-hidden").length; },
      visibleTypes: function () {
        var types = {};
        cy.nodes().not(".type-hidden").forEach(function (n) { types[n.data("type")] = true; });
        return Object.keys(types).sort();
      },
    };
    window.claimtrailGraphs[panel.dataset.claim] = state;
    panel.querySelectorAll("[data-graph-filter]").forEach(function (box) {
      box.addEventListener("change", function () { applyFilters(panel, cy); layout(); });
    });
    panel.querySelector('[data-graph-action="fit"]').addEventListener("click", function () { cy.fit(undefined, 20); });
    panel.querySelector('[data-graph-action="layout"]').addEventListener("click", layout);
    // A graph fitted at one width is cut off at another (a phone turned, a window
    // resized): fit it again once the resizing stops.
    var refit = null;
    window.addEventListener("resize", function () {
      clearTimeout(refit);
      refit = setTimeout(function () {
        cy.resize();
        cy.fit(cy.elements().not(".type-hidden"), 20);
      }, 150);
    });
    if (payload.truncated) {
      panel.querySelector(".graph-status").textContent += " The chain goes further than shown.";
    }
    panel.dataset.ready = "true";
    panel.dispatchEvent(new CustomEvent("graph:ready", { bubbles: true }));
  }

  function load(panel, show) {
    fetch(panel.dataset.graphUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("The graph could not be loaded (" + response.status + ").");
        return response.json();
      })
      .then(show)
      .catch(function (error) {
        panel.querySelector(".graph-status").textContent = error.message;
        panel.dataset.ready = "error";
      });
  }

  function init(root) {
    (root || document).querySelectorAll(".graph-panel[data-graph-url]").forEach(function (panel) {
      if (panel.dataset.graphStarted) return;
      panel.dataset.graphStarted = "true";
      if (!window.cytoscape) {
        panel.querySelector(".graph-status").textContent = "The graph viewer could not load.";
        return;
      }
      load(panel, function (payload) { draw(panel, payload); });
    });
  }

  // Evidence attached through htmx changes the graph under the page: the server says so
  // (HX-Trigger), and each graph drawn on the page fetches itself again.
  function redrawAll() {
    document.querySelectorAll(".graph-panel[data-graph-url]").forEach(function (panel) {
      var state = window.claimtrailGraphs[panel.dataset.claim];
      if (state) load(panel, state.replace);
    });
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function (event) { init(event.target); });
  document.addEventListener("claimtrail:graph-changed", redrawAll);
})();
