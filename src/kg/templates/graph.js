/* peace-talks-kg page script. Data comes from the JSON block only; every string from it
   reaches the DOM through textContent or a checked attribute, never through innerHTML. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("kg-data").textContent);
  var page = data.page;
  var SVG = "http://www.w3.org/2000/svg";
  var $ = function (id) { return document.getElementById(id); };

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  // ------------------------------------------------------------------ filter state
  var groups = data.legend.map(function (g) { return g.key; });
  var state = {
    groups: new Set(groups),
    layers: new Set(page.layersOn),
    from: page.dateMin, to: page.dateMax, undated: true
  };
  var nodeItems = data.nodes, edgeItems = data.edges;
  var nodeById = new Map(nodeItems.map(function (n) { return [n.id, n]; }));
  var edgeById = new Map(edgeItems.map(function (e, i) { return [e.id, i]; }));
  var visible = new Set();

  function layerOn(item) { return item.layers.some(function (l) { return state.layers.has(l); }); }
  function datesOk(item) {
    if (!item.t0) return true;
    return (!state.to || item.t0 <= state.to) && (!state.from || item.t1 >= state.from);
  }
  function nodeShown(n) {
    if (!state.groups.has(n.g) || !layerOn(n)) return false;
    return n.t0 ? datesOk(n) : state.undated;
  }
  function edgeShown(e) { return visible.has(e.from) && visible.has(e.to) && layerOn(e) && datesOk(e); }

  var nodes = new vis.DataSet(nodeItems);
  var edges = new vis.DataSet(edgeItems);
  function recompute() {
    visible = new Set();
    nodeItems.forEach(function (n) { if (nodeShown(n)) visible.add(n.id); });
  }
  recompute();
  var nodeView = new vis.DataView(nodes, { filter: function (n) { return visible.has(n.id); } });
  var edgeView = new vis.DataView(edges, { filter: edgeShown });

  var container = $("graph");
  var network = new vis.Network(container, { nodes: nodeView, edges: edgeView }, data.options);
  window.kg = { network: network, nodes: nodeView, edges: edgeView, data: data, firstDraw: null };
  network.once("afterDrawing", function () {
    window.kg.firstDraw = performance.now();
    document.body.setAttribute("data-drawn", "1");
  });

  function updateCounts() {
    var vn = nodeView.length, ve = edgeView.length;
    var counts = $("counts");
    counts.setAttribute("data-nodes-visible", vn);
    counts.setAttribute("data-edges-visible", ve);
    $("count-nodes").textContent = vn + " of " + nodeItems.length;
    $("count-edges").textContent = ve + " of " + edgeItems.length;
    var perGroup = {}, perStyle = {};
    nodeView.forEach(function (n) { perGroup[n.g] = (perGroup[n.g] || 0) + 1; });
    edgeView.forEach(function (e) { perStyle[e.s] = (perStyle[e.s] || 0) + 1; });
    document.querySelectorAll("[data-count-group]").forEach(function (span) {
      var key = span.getAttribute("data-count-group");
      span.textContent = (perGroup[key] || 0) + "/" + span.getAttribute("data-total");
    });
    document.querySelectorAll("[data-count-style]").forEach(function (span) {
      var key = span.getAttribute("data-count-style");
      span.textContent = (perStyle[key] || 0) + "/" + span.getAttribute("data-total");
    });
  }
  function applyFilters() {
    recompute();
    nodeView.refresh();
    edgeView.refresh();
    updateCounts();
    runSearch();
  }

  // ------------------------------------------------------------------ legend and filter controls
  function shapeSwatch(shape, colour) {
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", "0 0 16 16");
    svg.setAttribute("class", "swatch");
    var s;
    var poly = {
      triangle: "8,1.5 15,14.5 1,14.5", triangleDown: "1,1.5 15,1.5 8,14.5",
      diamond: "8,0.5 15.5,8 8,15.5 0.5,8", hexagon: "4,1.5 12,1.5 15.5,8 12,14.5 4,14.5 0.5,8",
      star: "8,0.5 10.2,5.6 15.5,6 11.4,9.5 12.7,15 8,12 3.3,15 4.6,9.5 0.5,6 5.8,5.6"
    }[shape];
    if (poly) { s = document.createElementNS(SVG, "polygon"); s.setAttribute("points", poly); }
    else if (shape === "square") {
      s = document.createElementNS(SVG, "rect");
      s.setAttribute("x", "2"); s.setAttribute("y", "2"); s.setAttribute("width", "12"); s.setAttribute("height", "12");
    } else {
      s = document.createElementNS(SVG, "circle");
      s.setAttribute("cx", "8"); s.setAttribute("cy", "8"); s.setAttribute("r", "6.5");
    }
    s.setAttribute("fill", colour);
    s.setAttribute("stroke", "#333");
    s.setAttribute("stroke-width", "0.6");
    svg.appendChild(s);
    return svg;
  }
  function lineSwatch(colour, dashes) {
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", "0 0 16 16");
    svg.setAttribute("class", "swatch");
    var line = document.createElementNS(SVG, "line");
    line.setAttribute("x1", "0"); line.setAttribute("y1", "8"); line.setAttribute("x2", "16"); line.setAttribute("y2", "8");
    line.setAttribute("stroke", colour);
    line.setAttribute("stroke-width", "2.5");
    if (dashes) line.setAttribute("stroke-dasharray", dashes.map(function (d) { return d / 2; }).join(" "));
    svg.appendChild(line);
    return svg;
  }
  function checkRow(id, swatch, text, checked, onChange, countAttr, total) {
    var label = el("label");
    var box = el("input");
    box.type = "checkbox";
    box.id = id;
    box.checked = checked;
    box.addEventListener("change", function () { onChange(box.checked); applyFilters(); });
    label.appendChild(box);
    if (swatch) label.appendChild(swatch);
    label.appendChild(el("span", text));
    if (countAttr) {
      var count = el("span", total + "/" + total, "count");
      count.setAttribute(countAttr[0], countAttr[1]);
      count.setAttribute("data-total", total);
      label.appendChild(count);
    }
    return label;
  }
  data.legend.forEach(function (g) {
    $("filter-classes").appendChild(checkRow("class-" + g.key, shapeSwatch(g.shape, g.colour), g.label, true,
      function (on) { if (on) state.groups.add(g.key); else state.groups.delete(g.key); },
      ["data-count-group", g.key], g.count));
  });
  data.edgeLegend.forEach(function (s) {
    var row = el("label");
    row.appendChild(lineSwatch(s.colour, s.dashes));
    row.appendChild(el("span", s.label));
    var count = el("span", s.count + "/" + s.count, "count");
    count.setAttribute("data-count-style", s.key);
    count.setAttribute("data-total", s.count);
    row.appendChild(count);
    $("edge-legend").appendChild(row);
  });
  var layerNames = { asserted: "asserted (the article)", inferred: "inferred (rules)", external: "external (outside sources)" };
  page.layers.forEach(function (layer) {
    $("filter-layers").appendChild(checkRow("layer-" + layer, null, layerNames[layer] || layer, state.layers.has(layer),
      function (on) { if (on) state.layers.add(layer); else state.layers.delete(layer); }));
  });
  var from = $("date-from"), to = $("date-to");
  [from, to].forEach(function (input) {
    if (page.dateMin) { input.min = page.dateMin; input.max = page.dateMax; } else input.disabled = true;
  });
  from.value = page.dateMin || "";
  to.value = page.dateMax || "";
  from.addEventListener("change", function () { state.from = from.value || page.dateMin; applyFilters(); });
  to.addEventListener("change", function () { state.to = to.value || page.dateMax; applyFilters(); });
  $("show-undated").addEventListener("change", function (ev) { state.undated = ev.target.checked; applyFilters(); });
  $("reset").addEventListener("click", function () {
    state.groups = new Set(groups);
    state.layers = new Set(page.layersOn);
    state.from = page.dateMin; state.to = page.dateMax; state.undated = true;
    groups.forEach(function (g) { $("class-" + g).checked = true; });
    page.layers.forEach(function (l) { $("layer-" + l).checked = state.layers.has(l); });
    from.value = page.dateMin || ""; to.value = page.dateMax || "";
    $("show-undated").checked = true;
    applyFilters();
  });

  // ------------------------------------------------------------------ search
  var search = $("search");
  function runSearch() {
    var q = search.value.trim().toLowerCase();
    var list = $("search-results");
    clear(list);
    if (!q) { $("search-count").textContent = ""; return; }
    var hits = nodeItems.filter(function (n) {
      var d = data.details[n.id];
      return visible.has(n.id) && (d.label.toLowerCase().indexOf(q) >= 0 || d.kind.toLowerCase().indexOf(q) >= 0);
    });
    $("search-count").textContent = hits.length + (hits.length === 1 ? " match" : " matches");
    hits.slice(0, 50).forEach(function (n) {
      var li = el("li"), b = el("button", data.details[n.id].label);
      b.type = "button";
      b.addEventListener("click", function () { focusNode(n.id); });
      li.appendChild(b);
      list.appendChild(li);
    });
    network.selectNodes(hits.slice(0, 200).map(function (n) { return n.id; }), false);
  }
  search.addEventListener("input", runSearch);
  search.addEventListener("keydown", function (ev) {
    if (ev.key !== "Enter") return;
    var first = $("search-results").querySelector("button");
    if (first) first.click();
  });

  function focusNode(id) {
    if (!visible.has(id)) return;
    network.selectNodes([id], true);
    network.focus(id, { scale: Math.max(network.getScale(), 1.0), animation: false });
    showNode(id);
  }

  // ------------------------------------------------------------------ side panel
  var panel = $("panel");
  $("panel-close").addEventListener("click", function () { panel.hidden = true; network.unselectAll(); });

  function fact(dl, name, value) {
    if (value === null || value === undefined || value === "") return;
    dl.appendChild(el("dt", name));
    dl.appendChild(el("dd", value));
  }
  function whenText(d) {
    if (d.date) return d.date;
    if (d.earliest && d.latest) return "between " + d.earliest + " and " + d.latest;
    if (d.earliest) return "after " + d.earliest;
    if (d.latest) return "before " + d.latest;
    return "";
  }
  function openPanel(kind, title) {
    panel.hidden = false;
    $("panel-type").textContent = kind;
    $("panel-title").textContent = title;
    clear($("panel-facts"));
    clear($("panel-links"));
    clear($("panel-connections"));
  }
  function labelOf(id) { var d = data.details[id]; return d ? d.label : id; }

  function showNode(id) {
    var d = data.details[id];
    if (!d) return;
    openPanel(d.kind, d.label);
    var dl = $("panel-facts");
    fact(dl, "Type", d.kind);
    fact(dl, "Date", whenText(d));
    fact(dl, "Layer", d.layers.join(", "));
    fact(dl, "IRI", id);
    d.links.forEach(function (link) {
      var a = el("a", link[0]);
      if (/^https?:\/\//.test(link[1])) a.setAttribute("href", link[1]);
      a.setAttribute("rel", "noopener noreferrer external");
      a.setAttribute("target", "_blank");
      $("panel-links").appendChild(a);
    });
    var rows = [];
    edgeItems.forEach(function (e, i) {
      if (e.from !== id && e.to !== id) return;
      var other = e.from === id ? e.to : e.from;
      rows.push({ other: other, edge: e, text: (e.from === id ? "→ " : "← ") + (e.label || "") });
    });
    rows.sort(function (a, b) { return labelOf(a.other).localeCompare(labelOf(b.other)); });
    $("panel-connections-section").hidden = rows.length === 0;
    rows.forEach(function (r) {
      var li = el("li");
      li.appendChild(el("span", r.text + " ", "rel"));
      var b = el("button", labelOf(r.other));
      b.type = "button";
      b.addEventListener("click", function () {
        if (visible.has(r.other)) focusNode(r.other); else showNode(r.other);
      });
      li.appendChild(b);
      $("panel-connections").appendChild(li);
    });
    showEvidence(d.quotes, d.spans);
  }

  function showEdge(id) {
    var e = edges.get(id);
    var d = data.edgeDetails[edgeById.get(id)];
    openPanel("Link: " + d.relation, d.label || d.relation);
    var dl = $("panel-facts");
    fact(dl, "From", labelOf(e.from));
    fact(dl, "To", labelOf(e.to));
    fact(dl, "Relation", d.iri || d.relation);
    fact(dl, "Role", d.role);
    fact(dl, "Event", d.event ? labelOf(d.event) : "");
    fact(dl, "Event type", d.kind);
    fact(dl, "Date", whenText(d));
    fact(dl, "CAMEO", d.cameo);
    fact(dl, "Goldstein", d.goldstein);
    fact(dl, "Sign", d.sign);
    fact(dl, "Layer", d.layers.join(", "));
    $("panel-connections-section").hidden = true;
    showEvidence(d.quotes, d.spans);
  }

  // The article with every supporting span marked; offsets are UTF-16 indices (converted in Python).
  function showEvidence(quotes, spans) {
    var list = $("panel-quotes"), article = $("article");
    clear(list);
    clear(article);
    $("evidence-heading").textContent = spans.length
      ? "Evidence in the article (" + spans.length + (spans.length === 1 ? " passage)" : " passages)")
      : (quotes.length ? "Quoted in the data" : "No quote in the data");
    var text = data.article, at = 0, marks = [];
    var merged = [];
    spans.forEach(function (s) {
      var last = merged[merged.length - 1];
      if (last && s[0] <= last[1]) last[1] = Math.max(last[1], s[1]); else merged.push([s[0], s[1]]);
    });
    merged.forEach(function (s) {
      if (s[0] > at) article.appendChild(document.createTextNode(text.slice(at, s[0])));
      var mark = el("mark", text.slice(s[0], s[1]));
      mark.setAttribute("data-start", s[0]);
      mark.setAttribute("data-end", s[1]);
      article.appendChild(mark);
      marks.push(mark);
      at = s[1];
    });
    article.appendChild(document.createTextNode(text.slice(at)));
    article.hidden = spans.length === 0;
    quotes.forEach(function (q) {
      var li = el("li"), b = el("button", "“" + q + "”");
      b.type = "button";
      b.addEventListener("click", function () {
        var m = marks.filter(function (mk) { return mk.textContent.indexOf(q) >= 0; })[0] || marks[0];
        if (m) scrollToMark(m, marks);
      });
      li.appendChild(b);
      list.appendChild(li);
    });
    if (marks.length) scrollToMark(marks[0], marks);
  }
  function scrollToMark(mark, marks) {
    marks.forEach(function (m) { m.classList.remove("current"); });
    mark.classList.add("current");
    var article = $("article");
    article.scrollTop = mark.offsetTop - article.offsetTop - article.clientHeight / 3;
  }

  network.on("click", function (params) {
    if (params.nodes.length) showNode(params.nodes[0]);
    else if (params.edges.length) showEdge(params.edges[0]);
  });

  updateCounts();
  if (page.focus && nodeById.has(page.focus)) {
    network.selectNodes([page.focus], true);
    showNode(page.focus);
  }
})();
