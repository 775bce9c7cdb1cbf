/* The network view at /network: the filters come from /api/network/facets, the graph from
   /api/network?format=cytoscape, drawn by cytoscape.js (static/cytoscape). Nothing here talks to any
   host but the one that served the page, and text from the data is only ever set with textContent. */
(function () {
  "use strict";
  var container = document.getElementById("network");
  var app = document.getElementById("network-app");
  if (!container || !app || typeof cytoscape === "undefined") {
    return; // the bundle did not load: the <noscript> downloads are the fallback
  }
  app.hidden = false;

  var apiUrl = new URL(container.getAttribute("data-api") || "/api/network", window.location.href);
  var facetsUrl = new URL(container.getAttribute("data-facets") || "/api/network/facets", window.location.href);
  var form = document.getElementById("network-filters");
  var kindsBox = document.getElementById("filter-kinds");
  var sectorSelect = document.getElementById("filter-sector");
  var countrySelect = document.getElementById("filter-country");
  var sizeSelect = document.getElementById("size-by");
  var legend = document.getElementById("network-legend");
  var statusLine = document.getElementById("network-status");
  var downloads = document.getElementById("network-downloads");
  var listItems = document.getElementById("network-list-items");

  var MIN_SIZE = 12;
  var MAX_SIZE = 60;
  var MIN_WIDTH = 1;
  var MAX_WIDTH = 6;
  var METRIC_LABELS = {
    degree: "Degree",
    weightedDegree: "Weighted degree",
    betweenness: "Betweenness",
    pageRank: "PageRank",
  };
  // Okabe–Ito colours (distinguishable with the common colour-vision deficiencies).
  var KIND_COLOURS = {
    collaboration: "#0072B2",
    "shared-member": "#E69F00",
    "shared-funder": "#009E73",
    "co-membership": "#CC79A7",
    "project-partnership": "#D55E00",
  };
  var SPARE_COLOURS = ["#56B4E9", "#8C6D1F", "#332288", "#999999", "#000000"];
  var kindColours = {};

  function colourOf(kind) {
    if (!Object.prototype.hasOwnProperty.call(kindColours, kind)) {
      var used = Object.keys(kindColours).length;
      kindColours[kind] = KIND_COLOURS[kind] || SPARE_COLOURS[used % SPARE_COLOURS.length];
    }
    return kindColours[kind];
  }

  function setStatus(text) {
    statusLine.textContent = text;
  }

  function setReady(ready) {
    document.body.dataset.networkReady = ready ? "true" : "false";
  }

  function plural(n, one, many) {
    return n + " " + (n === 1 ? one : many);
  }

  // ----- the graph ------------------------------------------------------------------------------

  var cy = cytoscape({
    container: container,
    elements: [],
    minZoom: 0.2,
    maxZoom: 4,
    wheelSensitivity: 0.3,
    style: [
      {
        selector: "node",
        style: {
          width: "data(displaySize)",
          height: "data(displaySize)",
          "background-color": "#4a5568",
          "border-width": 1,
          "border-color": "#ffffff",
          label: "data(label)",
          "font-size": 12,
          color: "#1d2430",
          "text-valign": "bottom",
          "text-margin-y": 3,
          "text-wrap": "wrap",
          "text-max-width": 140,
          "text-background-color": "#ffffff",
          "text-background-opacity": 0.7,
          "text-background-padding": 1,
          "min-zoomed-font-size": 5,
        },
      },
      {
        selector: "edge",
        style: {
          width: "data(displayWidth)",
          "line-color": "data(displayColour)",
          "curve-style": "bezier",
          opacity: 0.8,
        },
      },
      { selector: "edge[?crossBorder]", style: { "line-style": "dashed" } },
      { selector: "node.ckg-hover", style: { "background-color": "#1d2430", "border-color": "#1d2430" } },
      { selector: ".ckg-faded", style: { opacity: 0.15 } },
    ],
  });
  window.clusterkgNetwork = cy;

  function numberOf(value) {
    var n = Number(value);
    return isFinite(n) ? n : 0;
  }

  // Node diameter from the chosen measure: linear between MIN_SIZE and MAX_SIZE over the nodes shown.
  function applySizes() {
    var metric = sizeSelect.value;
    var nodes = cy.nodes();
    var values = nodes.map(function (n) {
      return numberOf(n.data(metric));
    });
    var lo = Math.min.apply(null, values.concat([Infinity]));
    var hi = Math.max.apply(null, values.concat([-Infinity]));
    cy.batch(function () {
      nodes.forEach(function (n, i) {
        var size = hi > lo ? MIN_SIZE + ((values[i] - lo) / (hi - lo)) * (MAX_SIZE - MIN_SIZE) : (MIN_SIZE + MAX_SIZE) / 4;
        n.data("displaySize", Math.round(size * 10) / 10);
      });
    });
  }

  function applyEdgeStyle() {
    var edges = cy.edges();
    var weights = edges.map(function (e) {
      return numberOf(e.data("weight"));
    });
    var lo = Math.min.apply(null, weights.concat([Infinity]));
    var hi = Math.max.apply(null, weights.concat([-Infinity]));
    cy.batch(function () {
      edges.forEach(function (e, i) {
        var width = hi > lo ? MIN_WIDTH + ((weights[i] - lo) / (hi - lo)) * (MAX_WIDTH - MIN_WIDTH) : 2;
        e.data("displayWidth", Math.round(width * 10) / 10);
        e.data("displayColour", colourOf(String(e.data("kind"))));
      });
    });
  }

  function byId(a, b) {
    var x = String(a.data.id);
    var y = String(b.data.id);
    return x < y ? -1 : x > y ? 1 : 0;
  }

  // cose starts from the current positions (randomize: false): the nodes go on a circle in the order of
  // their ids first, and are added in that order, so that the same data always gives the same picture.
  function draw(elements, summary, message) {
    var nodes = ((elements && elements.nodes) || []).filter(function (n) {
      return n && n.data && n.data.id !== undefined;
    });
    nodes.sort(byId);
    var at = {};
    var radius = Math.max(100, nodes.length * 12);
    nodes.forEach(function (n, i) {
      var angle = (2 * Math.PI * i) / nodes.length;
      at[String(n.data.id)] = { x: radius * Math.cos(angle), y: radius * Math.sin(angle) };
    });
    var edges = ((elements && elements.edges) || []).filter(function (e) {
      // an edge to a node that is not drawn would make cytoscape throw
      return e && e.data && at[String(e.data.source)] && at[String(e.data.target)];
    });
    edges.sort(byId);
    cy.batch(function () {
      cy.elements().remove();
      cy.add(
        nodes.map(function (n) {
          return { group: "nodes", data: n.data, position: at[String(n.data.id)] };
        })
      );
      cy.add(
        edges.map(function (e) {
          return { group: "edges", data: e.data };
        })
      );
    });
    applySizes();
    applyEdgeStyle();
    showDetails(null);
    var layout = cy.layout({
      name: "cose",
      randomize: false,
      animate: false,
      fit: true,
      padding: 30,
      nodeDimensionsIncludeLabels: true,
      idealEdgeLength: function () {
        return 70;
      },
      nodeRepulsion: function () {
        return 150000;
      },
      edgeElasticity: function () {
        return 100;
      },
      gravity: 0.5,
      componentSpacing: 60,
    });
    layout.one("layoutstop", function () {
      fillList();
      var shown =
        "Showing " +
        plural(cy.nodes().length, "organisation", "organisations") +
        " and " +
        plural(cy.edges().length, "tie", "ties") +
        (summary ? " (" + summary + ")" : "") +
        ".";
      setStatus(message || shown);
      setReady(true);
    });
    layout.run();
  }

  // ----- hovering and clicking ------------------------------------------------------------------

  var detailsEmpty = document.getElementById("network-details-empty");
  var detailsBody = document.getElementById("network-details-body");
  var detailsLink = document.getElementById("network-details-link");
  var detailsMetrics = document.getElementById("network-details-metrics");

  function localHref(href) {
    if (typeof href !== "string" || !href) {
      return null;
    }
    var url = new URL(href, window.location.href);
    return url.origin === window.location.origin ? url.href : null; // never another host, never javascript:
  }

  function formatNumber(value) {
    var n = numberOf(value);
    return Number.isInteger(n) ? String(n) : n.toFixed(4);
  }

  function showDetails(node) {
    if (!node) {
      detailsEmpty.hidden = false;
      detailsBody.hidden = true;
      return;
    }
    var d = node.data();
    detailsLink.textContent = d.label || d.id;
    detailsLink.href = localHref(d.href) || "#";
    detailsMetrics.replaceChildren();
    var rows = [["Country", d.country || "—"]];
    if (Array.isArray(d.sectors) && d.sectors.length) {
      rows.push([d.sectors.length === 1 ? "Sector" : "Sectors", d.sectors.join(", ")]);
    }
    Object.keys(METRIC_LABELS).forEach(function (m) {
      rows.push([METRIC_LABELS[m], formatNumber(d[m])]);
    });
    rows.push(["Ties shown", String(node.connectedEdges().length)]);
    if (d.community !== undefined && d.community !== null) {
      rows.push(["Community", String(d.community)]);
    }
    rows.forEach(function (row) {
      var dt = document.createElement("dt");
      dt.textContent = row[0];
      var dd = document.createElement("dd");
      dd.textContent = row[1];
      detailsMetrics.append(dt, dd);
    });
    detailsEmpty.hidden = true;
    detailsBody.hidden = false;
  }

  cy.on("mouseover", "node", function (evt) {
    var node = evt.target;
    var near = node.closedNeighborhood();
    cy.batch(function () {
      cy.elements().not(near).addClass("ckg-faded");
      node.addClass("ckg-hover");
    });
    container.title = node.data("label") || "";
    container.style.cursor = "pointer";
    showDetails(node);
  });
  cy.on("mouseout", "node", function () {
    cy.batch(function () {
      cy.elements().removeClass("ckg-faded ckg-hover");
    });
    container.title = "";
    container.style.cursor = "";
  });
  cy.on("tap", "node", function (evt) {
    var href = localHref(evt.target.data("href"));
    if (href) {
      window.location.assign(href);
    }
  });

  // A plain list of the organisations shown: links that work with the keyboard and screen readers.
  function fillList() {
    var nodes = cy.nodes().toArray();
    nodes.sort(function (a, b) {
      return String(a.data("label")).localeCompare(String(b.data("label")));
    });
    listItems.replaceChildren();
    nodes.forEach(function (n) {
      var li = document.createElement("li");
      var href = localHref(n.data("href"));
      var text = n.data("label") || n.id();
      if (href) {
        var a = document.createElement("a");
        a.href = href;
        a.textContent = text;
        li.append(a);
      } else {
        li.textContent = text;
      }
      if (n.data("country")) {
        li.append(document.createTextNode(" (" + n.data("country") + ")"));
      }
      listItems.append(li);
    });
  }

  // ----- filters --------------------------------------------------------------------------------

  function checkedKinds() {
    return Array.prototype.map.call(kindsBox.querySelectorAll("input[type=checkbox]:checked"), function (box) {
      return box.value;
    });
  }

  function filterParams() {
    var params = new URLSearchParams();
    checkedKinds().forEach(function (k) {
      params.append("kind", k);
    });
    if (sectorSelect.value) {
      params.set("sector", sectorSelect.value);
    }
    if (countrySelect.value) {
      params.set("country", countrySelect.value);
    }
    return params;
  }

  function filterSummary() {
    var parts = [];
    if (sectorSelect.value) {
      parts.push(sectorSelect.selectedOptions[0].textContent);
    }
    if (countrySelect.value) {
      parts.push(countrySelect.selectedOptions[0].textContent);
    }
    return parts.join(", ");
  }

  function updateDownloads(params) {
    Array.prototype.forEach.call(downloads.querySelectorAll("a[data-format]"), function (a) {
      var url = new URL(apiUrl.href);
      url.search = params.toString();
      url.searchParams.set("format", a.getAttribute("data-format"));
      a.href = url.pathname + url.search;
    });
    downloads.hidden = false;
  }

  // The filters are kept in the page's address (?kind=…&sector=…&country=…&size=…), so a view can be shared.
  function rememberFilters(params) {
    var state = new URLSearchParams(params.toString());
    if (sizeSelect.value !== "degree") {
      state.set("size", sizeSelect.value);
    }
    var search = state.toString();
    window.history.replaceState(null, "", window.location.pathname + (search ? "?" + search : ""));
  }

  var generation = 0;
  var inFlight = null;

  function load() {
    var mine = ++generation;
    setReady(false);
    delete document.body.dataset.networkError;
    if (inFlight) {
      inFlight.abort();
    }
    var params = filterParams();
    updateDownloads(params);
    rememberFilters(params);
    if (checkedKinds().length === 0 && kindsBox.querySelector("input[type=checkbox]")) {
      inFlight = null;
      downloads.hidden = true; // no kind would mean every kind to the API
      draw({ nodes: [], edges: [] }, "", "No tie kinds are selected: tick at least one.");
      return;
    }
    setStatus("Loading the network…");
    var url = new URL(apiUrl.href);
    params.set("format", "cytoscape");
    url.search = params.toString();
    var controller = new AbortController();
    inFlight = controller;
    fetch(url.href, { headers: { Accept: "application/json" }, signal: controller.signal })
      .then(function (response) {
        if (!response.ok) {
          return response.text().then(function (text) {
            throw new Error("HTTP " + response.status + (text ? ": " + text.trim().slice(0, 200) : ""));
          });
        }
        return response.json();
      })
      .then(function (body) {
        if (mine !== generation) {
          return; // a newer filter has been chosen meanwhile
        }
        inFlight = null;
        draw(body.elements, filterSummary());
      })
      .catch(function (err) {
        if (mine !== generation || (err && err.name === "AbortError")) {
          return;
        }
        inFlight = null;
        cy.elements().remove();
        listItems.replaceChildren();
        setStatus("Could not load the network: " + err.message);
        document.body.dataset.networkError = "true";
      });
  }

  function fillSelect(select, items, wanted) {
    (items || []).forEach(function (item) {
      var option = new Option(String(item.label || item.id), String(item.id));
      select.append(option);
    });
    if (wanted && Array.prototype.some.call(select.options, function (o) {
        return o.value === wanted;
      })) {
      select.value = wanted;
    }
  }

  function fillKinds(kinds, wanted) {
    legend.replaceChildren();
    kinds.forEach(function (kind) {
      var id = String(kind.id);
      var label = String(kind.label || kind.id);
      var box = document.createElement("input");
      box.type = "checkbox";
      box.name = "kind";
      box.value = id;
      box.checked = wanted.length === 0 || wanted.indexOf(id) >= 0;
      var swatch = document.createElement("span");
      swatch.className = "ckg-swatch";
      swatch.style.backgroundColor = colourOf(id);
      swatch.setAttribute("aria-hidden", "true");
      var text = document.createElement("span");
      text.textContent = label;
      var wrap = document.createElement("label");
      wrap.append(box, swatch, text);
      kindsBox.append(wrap);

      var item = document.createElement("li");
      var itemSwatch = swatch.cloneNode();
      item.append(itemSwatch, document.createTextNode(label));
      legend.append(item);
    });
  }

  function fillMetrics(metrics, wanted) {
    if (Array.isArray(metrics) && metrics.length) {
      sizeSelect.replaceChildren();
      metrics.forEach(function (m) {
        sizeSelect.append(new Option(METRIC_LABELS[m] || String(m), String(m)));
      });
    }
    if (wanted && Array.prototype.some.call(sizeSelect.options, function (o) {
        return o.value === wanted;
      })) {
      sizeSelect.value = wanted;
    }
  }

  form.addEventListener("submit", function (evt) {
    evt.preventDefault();
    load();
  });
  form.addEventListener("change", function (evt) {
    if (evt.target === sizeSelect) {
      setReady(false);
      rememberFilters(filterParams());
      applySizes();
      setReady(true);
    } else {
      load();
    }
  });

  var initial = new URLSearchParams(window.location.search);
  setReady(false);
  fetch(facetsUrl.href, { headers: { Accept: "application/json" } })
    .then(function (response) {
      if (!response.ok) {
        throw new Error("HTTP " + response.status);
      }
      return response.json();
    })
    .then(function (facets) {
      fillKinds(facets.kinds || [], initial.getAll("kind"));
      fillSelect(sectorSelect, facets.sectors, initial.get("sector"));
      fillSelect(countrySelect, facets.countries, initial.get("country"));
      fillMetrics(facets.metrics, initial.get("size"));
    })
    .catch(function (err) {
      setStatus("Could not load the filters (" + err.message + "); showing the whole network.");
    })
    .then(load);
})();
