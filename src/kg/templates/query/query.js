// The query page of `kg serve`: YASGUI on this endpoint only, the project's prefixes, the query
// library as named examples, and labels beside IRIs in results. Nothing is requested from
// another origin: prefix and term look-ups (prefix.cc, LOV) are switched off.
"use strict";

(async function () {
  const config = await (await fetch("page/config.json")).json();
  const endpoint = new URL(config.endpoint, location.href).href;
  const labelsUrl = new URL(config.labels, location.href).href;
  const labels = new Map();  // IRI -> label, for every IRI seen in a result

  // Only completers that work offline: variables and the prefixes below (no LOV, no prefix.cc).
  Yasgui.Yasqe.defaults.autocompleters = ["variables"];
  Yasgui.defaults.endpointCatalogueOptions = { getData: () => [{ endpoint }], keys: [] };

  const firstQuery = Object.entries(config.prefixes)
    .filter(([p]) => ["pt", "ptr", "rdfs"].includes(p))
    .map(([p, iri]) => `PREFIX ${p}: <${iri}>`).join("\n") +
    "\n# The actors of the story, by name\nSELECT DISTINCT ?actor ?name WHERE {\n" +
    "  ?actor a/rdfs:subClassOf* pt:Actor ; rdfs:label ?name .\n} ORDER BY ?name\n";

  const yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    persistenceId: null,
    populateFromUrl: true,
    autoAddOnInit: true,
    tabName: "Query",
    yasqe: { value: firstQuery, autocompleters: ["variables"], resizeable: true, editorHeight: "240px" },
    yasr: {
      // the project's prefixes shorten IRIs; a query's own PREFIX lines come first
      prefixes: (yasr) => Object.assign({}, config.prefixes, yasr.config.queryPrefixes || {}),
      pluginOrder: ["table", "response"],
      defaultPlugin: "table",
    },
  });

  document.getElementById("limits").textContent =
    `Read-only endpoint ${endpoint} (SPARQL 1.1 Protocol). The default graph is the union of the ` +
    `layers (asserted, inferred, external) and the vocabulary; each is also a named graph. ` +
    `Prefixes ${Object.keys(config.prefixes).map((p) => p + ":").join(" ")} are predeclared. ` +
    `A query may run ${config.timeout} s and be ${Math.round(config.maxBytes / 1024)} KB long` +
    (config.allowService ? "." : "; SERVICE calls to other endpoints are refused.");

  // --- labels beside IRIs ---------------------------------------------------------
  function annotate(root) {
    for (const link of root.querySelectorAll("a.iri")) {
      const before = link.previousElementSibling;
      if (before && before.classList.contains("kg-label")) continue;
      const label = labels.get(link.getAttribute("href"));
      if (label === undefined) continue;
      const span = document.createElement("span");
      span.className = "kg-label";
      span.textContent = label;  // text only: labels come from data
      link.before(span);  // the name on top, its IRI below
    }
  }

  async function fetchLabels(tab) {
    const results = tab.getYasr().results;
    const bindings = results && results.getBindings ? results.getBindings() : null;
    if (!bindings) return;
    const wanted = new Set();
    for (const row of bindings) {
      for (const value of Object.values(row)) {
        if (value && value.type === "uri" && !labels.has(value.value)) wanted.add(value.value);
      }
    }
    const iris = [...wanted].slice(0, 5000);
    if (iris.length) {
      const response = await fetch(labelsUrl, {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(iris),
      });
      if (response.ok) {
        const found = await response.json();
        for (const iri of iris) labels.set(iri, Object.prototype.hasOwnProperty.call(found, iri) ? found[iri] : undefined);
      }
    }
    annotate(tab.getYasr().resultsEl);
    document.body.dataset.labelled = String(Number(document.body.dataset.labelled || 0) + 1);
  }

  // The table redraws on paging, sorting and filtering: label what it draws.
  new MutationObserver(() => annotate(document.getElementById("yasgui")))
    .observe(document.getElementById("yasgui"), { childList: true, subtree: true });
  // A tab's results are drawn after its queryResponse event: ask for labels once they are.
  yasgui.on("queryResponse", (instance, tab) => {
    tab.getYasr().once("drawn", () => { fetchLabels(tab).catch(() => {}); });
  });

  // --- an entity of the graph opens on what the graph says about it, not on the web --------
  const BASE = "https://w3id.org/peace-talks-kg/";
  const PLAIN_IRI = /^[^<>"{}|^`\\\s]+$/;  // nothing that could end the <...> it goes into
  function aboutQuery(iri) {
    return `# What the graph says about <${iri}>, layer by layer: its own statements, then those that point at it
SELECT ?layer ?direction ?property ?value WHERE {
  { GRAPH ?graph { <${iri}> ?property ?value } BIND("outgoing" AS ?direction) }
  UNION
  { GRAPH ?graph { ?value ?property <${iri}> } BIND("incoming" AS ?direction) }
  BIND(STRAFTER(STR(?graph), "${BASE}graph/") AS ?layer)
}
ORDER BY ?layer DESC(?direction) ?property ?value
`;
  }
  document.getElementById("yasgui").addEventListener("click", (event) => {
    const link = event.target.closest ? event.target.closest(".yasr a.iri") : null;
    const iri = link && link.getAttribute("href");
    if (!iri || !iri.startsWith(BASE) || !PLAIN_IRI.test(iri)) return;
    event.preventDefault();
    const name = (labels.get(iri) || iri.slice(BASE.length)).slice(0, 40);
    const tab = yasgui.addTab(true, { name, yasqe: { value: aboutQuery(iri) } });
    tab.getYasqe().query().catch(() => {});
  });

  // --- the library as named examples -----------------------------------------------
  const list = document.getElementById("example-list");
  const description = document.getElementById("example-description");
  document.getElementById("example-count").textContent = `(${config.examples.length})`;
  for (const example of config.examples) {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.dataset.name = example.name;
    button.title = example.description;
    const summary = document.createElement("span");
    summary.className = "summary";
    summary.textContent = example.summary;
    const name = document.createElement("span");
    name.className = "name";
    name.textContent = example.name;
    button.append(summary, name);
    button.addEventListener("click", () => openExample(example, button));
    item.append(button);
    list.append(item);
  }

  function openExample(example, button) {
    const tab = yasgui.getTab();
    tab.setName(example.summary.slice(0, 40));
    tab.getYasqe().setValue(example.query);
    for (const other of list.querySelectorAll("button")) other.removeAttribute("aria-current");
    button.setAttribute("aria-current", "true");
    description.replaceChildren();
    const title = document.createElement("strong");
    title.textContent = example.summary;
    description.append(title, document.createTextNode(example.description));
    for (const param of example.params) {
      description.append(document.createElement("br"),
        document.createTextNode(`?${param.name}: ${param.description} (left open here: every value)`));
    }
    description.hidden = false;
    document.getElementById("examples").classList.remove("open");
    document.getElementById("toggle-examples").setAttribute("aria-expanded", "false");
    tab.getYasqe().query().catch(() => {});
  }

  document.getElementById("example-filter").addEventListener("input", (event) => {
    const words = event.target.value.toLowerCase().split(/\s+/).filter(Boolean);
    for (const [index, item] of [...list.children].entries()) {
      const example = config.examples[index];
      const text = `${example.summary} ${example.name} ${example.description}`.toLowerCase();
      item.hidden = !words.every((w) => text.includes(w));
    }
  });
  document.getElementById("toggle-examples").addEventListener("click", (event) => {
    const open = document.getElementById("examples").classList.toggle("open");
    event.currentTarget.setAttribute("aria-expanded", String(open));
  });
  document.body.dataset.ready = "1";
  yasgui.getTab().getYasqe().query().catch(() => {});
})();
