/* The query page at /sparql: YASGUI on this server's own endpoint, with the example queries of the
   page one click away. Nothing here talks to any host but the one that served the page. */
(function () {
  "use strict";
  var root = document.getElementById("yasgui");
  if (!root || typeof Yasgui === "undefined") {
    return; // the bundle did not load: the <noscript> form is the fallback for browsers without JS
  }
  // The endpoint is this page's own /sparql (resolved against the page, so it works behind a proxy).
  var endpoint = new URL(root.getAttribute("data-endpoint") || "/sparql", window.location.href).href;

  function exampleQuery(id) {
    var el = document.getElementById(id);
    return el ? el.textContent.replace(/^\s*\n/, "").replace(/\s+$/, "") + "\n" : null;
  }

  // Start from the first example, unless the page was opened from a share link (#query=…).
  var fromShareLink = /(^#|&)query=/.test(window.location.hash);
  var first = document.querySelector("#examples [data-example]");
  var initialQuery = first && !fromShareLink ? exampleQuery(first.getAttribute("data-example")) : null;

  var yasgui = new Yasgui(root, {
    requestConfig: {
      endpoint: endpoint,
      method: "POST",
      acceptHeaderGraph: "text/turtle,*/*;q=0.9",
      acceptHeaderSelect: "application/sparql-results+json,*/*;q=0.9",
    },
    copyEndpointOnNewTab: true,
    // The endpoint field suggests only this server (the default catalogue lists DBpedia and Wikidata).
    endpointCatalogueOptions: {
      getData: function () {
        return [{ endpoint: endpoint }];
      },
      keys: [],
    },
    // No localStorage: each visit starts from the examples; nothing is kept between visits.
    persistenceId: null,
    // Share links (#query=…) open here, but always against this server, whatever endpoint they name.
    populateFromUrl: function (config) {
      config.requestConfig = Object.assign({}, config.requestConfig, { endpoint: endpoint, method: "POST" });
      return config;
    },
    autofocus: false,
    tabName: "Query",
    yasqe: {
      // Prefix completion from YASGUI's bundled list and variable completion only; the class and
      // property completers ask lov.linkeddata.es, and a prefix.cc lookup is off (prefixCcApi null).
      autocompleters: ["prefixes", "variables"],
      prefixCcApi: null,
      persistenceId: null,
      editorHeight: "320px",
      value: initialQuery || undefined,
    },
    yasr: {
      persistenceId: null,
      // Instance IRIs shown as id:cluster/… (as `clusterkg query` prints them), next to the query's own prefixes.
      prefixes: { id: "https://w3id.org/clusterkg/id/" },
    },
  });

  // "Simple view" on by default in the results table: values without datatypes and angle brackets
  // (its checkbox turns it off). A tab's table settings live in the tab, so set them on each new tab.
  function simpleView(t) {
    var yasr = t && t.getYasr && t.getYasr();
    var table = yasr && yasr.config.plugins && yasr.config.plugins.table;
    if (table && !table.dynamicConfig) {
      yasr.storePluginConfig("table", { compact: true, isEllipsed: true, pageSize: 50 });
    }
  }
  yasgui.on("tabSelect", function (instance, tabId) {
    window.setTimeout(function () {
      simpleView(instance.getTab(tabId));
    }, 0);
  });

  // The first tab: start from the first example rather than YASGUI's generic ?s ?p ?o query.
  var tab = yasgui.getTab();
  simpleView(tab);
  if (initialQuery && tab) {
    tab.setEndpoint(endpoint);
    tab.setQuery(initialQuery);
  }

  document.querySelectorAll("#examples [data-example]").forEach(function (button) {
    button.addEventListener("click", function () {
      var query = exampleQuery(button.getAttribute("data-example"));
      var current = yasgui.getTab();
      if (!query || !current) {
        return;
      }
      current.setEndpoint(endpoint);
      current.setQuery(query);
      document.querySelectorAll("#examples [data-example]").forEach(function (b) {
        b.classList.toggle("active", b === button);
        b.setAttribute("aria-pressed", b === button ? "true" : "false");
      });
      var yasqe = current.getYasqe && current.getYasqe();
      if (yasqe) {
        yasqe.focus();
      }
    });
  });

  window.clusterkgYasgui = yasgui; // for the browser test and for the console
})();
