/* peace-talks-kg page script. Data comes from the JSON block only; every string from it
   reaches the DOM through textContent or a checked attribute, never through innerHTML. */
(function () {
  "use strict";
  // performance marks of the page's phases (benchmarks/bench_render.py --phases reads them)
  performance.mark("kg:script");
  var data = JSON.parse(document.getElementById("kg-data").textContent);
  performance.mark("kg:parsed");
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
  var groupsOn = page.groupsOn || groups;
  var ACTORS = new Set(["person", "state", "organisation"]);
  var LAYER_ORDER = ["asserted", "inferred", "external"];
  var nodeItems = data.nodes, edgeItems = data.edges;
  // The payload leaves out what a class or a link style shares (shape, colours) and every empty
  // field of the details: a third of a 5,000-node page, read and parsed before the first draw.
  // They are put back here, one shared object per style.
  var looks = new Map(data.legend.map(function (g) {
    return [g.key, { shape: g.shape, color: { background: g.colour, border: g.border, highlight: { background: g.colour, border: "#111111" } } }];
  }));
  var strokes = new Map(data.edgeLegend.map(function (s) { return [s.key, { color: s.colour, highlight: "#111111", opacity: 0.85 }]; }));
  nodeItems.forEach(function (n) { var look = looks.get(n.g); n.shape = look.shape; n.color = look.color; });
  edgeItems.forEach(function (e) { e.color = strokes.get(e.s); });
  // (frozen: shared by every item that lacks them, so nothing may change them)
  var NONE = Object.freeze([]), NOTHING = Object.freeze({});
  var nodeEmpty = { label: "", kind: "", layers: NONE, dating: NOTHING, quotes: NONE, spans: NONE, links: NONE, modality: NONE, degree: NONE, stated: NONE };
  var edgeEmpty = { relation: "", label: "", kind: "", layers: NONE, dating: NOTHING, quotes: NONE, spans: NONE, modality: NONE, degree: NONE };
  function filled(details, empty) {
    for (var key in empty) if (details[key] === undefined) details[key] = empty[key];
  }
  Object.keys(data.details).forEach(function (key) { filled(data.details[key], nodeEmpty); });
  data.edgeDetails.forEach(function (d) { filled(d, edgeEmpty); });
  function layerKey(layers) { return LAYER_ORDER.filter(function (l) { return layers.has(l); }).join(","); }
  function spanOf(item) { return item.t[state.key] || item.t["*"] || null; }
  function datingOf(d) { return (d.dating && (d.dating[state.key] || d.dating["*"])) || {}; }
  function dateRange(key) {
    var lo = null, hi = null;
    [nodeItems, edgeItems].forEach(function (items) {
      items.forEach(function (item) {
        var t = item.t[key] || item.t["*"];
        if (!t) return;
        if (lo === null || t[0] < lo) lo = t[0];
        if (hi === null || t[1] > hi) hi = t[1];
      });
    });
    return { min: lo, max: hi };
  }
  var state = { groups: new Set(groupsOn), layers: new Set(page.layersOn), undated: true,
                sources: new Set(data.sources.map(function (s, i) { return i; })) };
  state.key = layerKey(state.layers);
  var range = dateRange(state.key);
  state.from = range.min; state.to = range.max;
  var nodeById = new Map(nodeItems.map(function (n) { return [n.id, n]; }));
  var edgeById = new Map(edgeItems.map(function (e, i) { return [e.id, i]; }));
  var incident = new Map(nodeItems.map(function (n) { return [n.id, []]; }));
  edgeItems.forEach(function (e) { incident.get(e.from).push(e); if (e.to !== e.from) incident.get(e.to).push(e); });
  var visible = new Set();

  function layerOn(item) { return item.layers.some(function (l) { return state.layers.has(l); }); }
  // A thing shows when one of its passages is in a source switched on, or when it has no passage.
  function sourceOn(spans) {
    return !spans.length || spans.some(function (s) { return state.sources.has(s[0]); });
  }
  function datesOk(item) {
    var t = spanOf(item);
    if (!t) return true;
    return (!state.to || t[0] <= state.to) && (!state.from || t[1] >= state.from);
  }
  function narrowed() { return !state.undated || state.from !== range.min || state.to !== range.max; }
  function nodeShown(n) {
    if (!state.groups.has(n.g) || !layerOn(n) || !sourceOn(data.details[n.id].spans)) return false;
    return spanOf(n) ? datesOk(n) : state.undated;
  }
  function edgeShown(item) {  // (the DataView's item: vis-network's fields only)
    var i = edgeById.get(item.id), e = edgeItems[i];
    return visible.has(e.from) && visible.has(e.to) && layerOn(e) && datesOk(e) && sourceOn(data.edgeDetails[i].spans);
  }
  // Tooltips: label, type, the date of the layers switched on (with its layer), hedges.
  function nodeTitle(n) {
    var d = data.details[n.id];
    return [d.label, d.kind, whenText(d), hedgeText(d), degreeText(d)].filter(Boolean).join("\n");
  }
  function edgeTitle(e) {
    var d = data.edgeDetails[edgeById.get(e.id)];
    return [d.relation, d.label !== d.relation ? d.label : "", whenText(d), hedgeText(d), degreeText(d)].filter(Boolean).join("\n");
  }
  function setTitles(update) {
    var nodeUpdates = [], edgeUpdates = [];
    nodeItems.forEach(function (n) {
      var title = nodeTitle(n);
      if (title !== n.title) { n.title = title; nodeUpdates.push({ id: n.id, title: title }); }
    });
    edgeItems.forEach(function (e) {
      var title = edgeTitle(e);
      if (title !== e.title) { e.title = title; edgeUpdates.push({ id: e.id, title: title }); }
    });
    if (update && nodeUpdates.length) nodes.update(nodeUpdates);
    if (update && edgeUpdates.length) edges.update(edgeUpdates);
  }
  setTitles(false);
  // vis-network copies every field of an item into the item's own options (objects and arrays
  // deeply), so it is given only what it draws; the page's own fields (class, layers, dates) stay
  // in nodeItems and edgeItems. A big page (page.lean) gives its nodes no label to start with: at
  // the zoom that shows all of it no label is drawn, and measuring 5,000 of them before the first
  // draw cost a fifth of it. relabel() gives the nodes in view their labels once they can be read.
  var lean = !!page.lean;
  var VIS_NODE = lean ? ["id", "x", "y", "size", "shape", "color", "title"] : ["id", "label", "x", "y", "size", "shape", "color", "title"];
  var VIS_EDGE = ["id", "from", "to", "label", "arrows", "dashes", "width", "smooth", "color", "title"];
  function visItem(item, keys) {
    var out = {};
    for (var i = 0; i < keys.length; i++) if (item[keys[i]] !== undefined) out[keys[i]] = item[keys[i]];
    return out;
  }
  var nodes = new vis.DataSet(nodeItems.map(function (n) { return visItem(n, VIS_NODE); }));
  var edges = new vis.DataSet(edgeItems.map(function (e) { return visItem(e, VIS_EDGE); }));
  function recompute() {
    visible = new Set();
    nodeItems.forEach(function (n) { if (nodeShown(n)) visible.add(n.id); });
    if (!narrowed()) return;
    // A date range keeps the actors of what it shows: an undated actor stays when one of its links is
    // dated inside the range, or leads to a dated thing the range shows.
    nodeItems.forEach(function (n) {
      if (visible.has(n.id) || spanOf(n) || !ACTORS.has(n.g) || !state.groups.has(n.g) || !layerOn(n)) return;
      var keep = incident.get(n.id).some(function (e) {
        if (!layerOn(e)) return false;
        var other = nodeById.get(e.from === n.id ? e.to : e.from);
        return (spanOf(e) && datesOk(e) && (ACTORS.has(other.g) || visible.has(other.id))) || (spanOf(other) && visible.has(other.id));
      });
      if (keep) visible.add(n.id);
    });
  }
  recompute();
  var nodeView = new vis.DataView(nodes, { filter: function (n) { return visible.has(n.id); } });
  var edgeView = new vis.DataView(edges, { filter: edgeShown });

  var container = $("graph");
  performance.mark("kg:set-up");
  var network = new vis.Network(container, { nodes: nodeView, edges: lean ? [] : edgeView }, data.options);
  performance.mark("kg:built");
  if (lean) network.on("beforeDrawing", drawLinks);
  window.kg = { network: network, nodes: nodeView, edges: edgeView, data: data, firstDraw: null };
  network.once("afterDrawing", function () {
    window.kg.firstDraw = performance.now();
    document.body.setAttribute("data-drawn", "1");
    relabel();
  });

  // ------------------------------------------------------------------ a lean page's links
  // vis-network builds an object per link (options, label, geometry) and strokes each on its own:
  // at 10,000 links that was about half of a big page's first draw. A lean page draws its links
  // itself, under the nodes, with vis-network's geometry (straight; its curvedCW/curvedCCW bends for
  // parallel links; a loop up and right of the node for a self-link) and look (colour at 0.85, width,
  // dashes; faded beside a focus; #111111 and 2 px wider when selected or at the selected node), one
  // path per look. A click off the nodes picks the nearest link; hovering one shows its tooltip.
  var shownLinks = [], pickedLink = null, focusLinks = new Set();
  function collectLinks() {
    if (!lean) return;
    shownLinks = edgeView.getIds().map(function (id) { return edgeItems[edgeById.get(id)]; });
  }
  collectLinks();
  function linkVia(e, a, b) {  // vis-network's via point of a bent link (null: straight)
    if (!e.smooth) return null;
    var f = e.smooth.roundness, dx = b.x - a.x, dy = a.y - b.y, r = Math.sqrt(dx * dx + dy * dy);
    var angle = (Math.atan2(dy, dx) + ((e.smooth.type === "curvedCW" ? f : -f) * 0.5 + 0.5) * Math.PI) % (2 * Math.PI);
    return { x: a.x + (f * 0.5 + 0.5) * r * Math.sin(angle), y: a.y + (f * 0.5 + 0.5) * r * Math.cos(angle) };
  }
  var LOOP = 20;  // vis-network's selfReference size; its angle is pi/4
  function loopCentre(e, a) {
    var size = nodeById.get(e.from).size;
    return { x: a.x + size * Math.SQRT1_2, y: a.y - size * Math.SQRT1_2 };
  }
  function drawLinks(ctx) {
    var scale = network.getScale(), at = network.body.nodes, batches = new Map();
    var hotNodes = new Set(network.getSelectedNodes());
    shownLinks.forEach(function (e) {
      var hot = e.id === pickedLink || hotNodes.has(e.from) || hotNodes.has(e.to);
      var dim = !hot && focusId !== null && !focusLinks.has(e.id);
      var key = hot ? "hot|" + e.width : e.s + "|" + e.width + "|" + (dim ? 1 : 0);
      if (!batches.has(key)) batches.set(key, { look: e, hot: hot, dim: dim, links: [] });
      batches.get(key).links.push(e);
    });
    ctx.save();
    batches.forEach(function (batch) {
      var look = batch.look;
      ctx.beginPath();
      batch.links.forEach(function (e) {
        var a = at[e.from], b = at[e.to];
        if (!a || !b) return;
        if (e.from === e.to) {
          var c = loopCentre(e, a);
          ctx.moveTo(c.x + LOOP, c.y);
          ctx.arc(c.x, c.y, LOOP, 0, 2 * Math.PI);
          return;
        }
        var via = linkVia(e, a, b);
        ctx.moveTo(a.x, a.y);
        if (via) ctx.quadraticCurveTo(via.x, via.y, b.x, b.y); else ctx.lineTo(b.x, b.y);
      });
      ctx.strokeStyle = batch.hot ? "#111111" : look.color.color;
      ctx.globalAlpha = batch.hot ? 1 : batch.dim ? 0.08 : 0.85;
      ctx.lineWidth = Math.max(look.width + (batch.hot ? 2 : 0), 0.3 / scale);
      ctx.setLineDash(look.dashes && !batch.hot ? look.dashes : []);
      ctx.lineCap = look.dashes ? "round" : "butt";
      ctx.stroke();
    });
    ctx.restore();
  }
  function pointToSegment(p, a, b) {
    var dx = b.x - a.x, dy = b.y - a.y, len = dx * dx + dy * dy;
    var t = len ? Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / len)) : 0;
    return Math.hypot(p.x - a.x - t * dx, p.y - a.y - t * dy);
  }
  // The link nearest the canvas point `p`, within 5 px on screen (or its own width); null if none.
  function linkAt(p) {
    var at = network.body.nodes, best = null, bestDistance = Infinity, reach = 5 / network.getScale();
    shownLinks.forEach(function (e) {
      var a = at[e.from], b = at[e.to], d;
      if (!a || !b) return;
      if (e.from === e.to) {
        var c = loopCentre(e, a);
        d = Math.abs(Math.hypot(p.x - c.x, p.y - c.y) - LOOP);
      } else {
        var via = linkVia(e, a, b);
        if (!via) d = pointToSegment(p, a, b);
        else {
          d = Infinity;
          for (var i = 0, last = a; i < 12; i++) {  // the curve as 12 segments
            var t = (i + 1) / 12, next = { x: (1 - t) * (1 - t) * a.x + 2 * t * (1 - t) * via.x + t * t * b.x,
                                           y: (1 - t) * (1 - t) * a.y + 2 * t * (1 - t) * via.y + t * t * b.y };
            d = Math.min(d, pointToSegment(p, last, next));
            last = next;
          }
        }
      }
      if (d <= Math.max(reach, e.width) && d < bestDistance) { best = e.id; bestDistance = d; }
    });
    return best;
  }
  function selectLink(id) {
    if (!lean) { network.selectEdges([id]); return; }
    network.unselectAll();
    pickedLink = id;
    network.redraw();
  }
  if (lean) {  // the tooltip of the link under the pointer, as vis-network shows one (its delay, its style)
    var tip = el("div", null, "vis-tooltip link-tip"), tipTimer = null;
    container.appendChild(tip);
    var hideTip = function () { clearTimeout(tipTimer); tip.style.visibility = "hidden"; };
    ["click", "dragStart", "zoom"].forEach(function (name) { network.on(name, hideTip); });
    container.addEventListener("mousemove", function (ev) {
      hideTip();
      var box = container.getBoundingClientRect(), dom = { x: ev.clientX - box.left, y: ev.clientY - box.top };
      tipTimer = setTimeout(function () {
        var nodeTip = container.querySelector("div.vis-tooltip:not(.link-tip)");  // vis-network's, of a node
        if (network.getNodeAt(dom) !== undefined || (nodeTip && nodeTip.style.visibility === "visible")) return;
        var id = linkAt(network.DOMtoCanvas(dom));
        if (id === null) return;
        tip.textContent = edgeItems[edgeById.get(id)].title;
        tip.style.left = Math.min(dom.x + 3, Math.max(0, container.clientWidth - tip.offsetWidth - 4)) + "px";
        tip.style.top = (dom.y + 14) + "px";
        tip.style.visibility = "visible";
      }, data.options.interaction.tooltipDelay);
    });
    container.addEventListener("mouseleave", hideTip);
  }

  function updateCounts() {
    var vn = nodeView.length, ve = edgeView.length;
    var counts = $("counts");
    counts.setAttribute("data-nodes-visible", vn);
    counts.setAttribute("data-edges-visible", ve);
    $("count-nodes").textContent = vn + " of " + nodeItems.length;
    $("count-edges").textContent = ve + " of " + edgeItems.length;
    var perGroup = {}, perStyle = {};
    nodeView.forEach(function (n) { var g = nodeById.get(n.id).g; perGroup[g] = (perGroup[g] || 0) + 1; });
    edgeView.forEach(function (e) { var s = edgeItems[edgeById.get(e.id)].s; perStyle[s] = (perStyle[s] || 0) + 1; });
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
    var key = layerKey(state.layers);
    if (key !== state.key) {  // other layers, other dates: the range follows unless the user narrowed it
      var old = range;
      state.key = key;
      range = dateRange(key);
      if (state.from === old.min || !state.from || (range.min && state.from < range.min)) state.from = range.min;
      if (state.to === old.max || !state.to || (range.max && state.to > range.max)) state.to = range.max;
      dateInputs();
      setTitles(true);
    }
    recompute();
    nodeView.refresh();
    edgeView.refresh();
    if (lean) { collectLinks(); network.redraw(); }  // (vis-network redraws for its nodes only)
    updateCounts();
    runSearch();
    if (typeof relabel === "function") relabel();
    refreshPanel();
  }
  // The open panel follows the filters: new dates for new layers, closed when its thing is hidden.
  function refreshPanel() {
    if (selected === null || selected === undefined || panel.hidden) return;
    if (nodeById.has(selected) && visible.has(selected)) showNode(selected);
    else if (edgeById.has(selected) && edgeView.get(selected)) showEdge(selected);
    else { selected = null; fade(null); panel.hidden = true; }
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
    $("filter-classes").appendChild(checkRow("class-" + g.key, shapeSwatch(g.shape, g.colour), g.label, state.groups.has(g.key),
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
  data.sources.forEach(function (source, i) {
    $("filter-sources").appendChild(checkRow("source-" + i, null, source.title, true,
      function (on) { if (on) state.sources.add(i); else state.sources.delete(i); }));
  });
  var from = $("date-from"), to = $("date-to");
  // The inputs offer only the days the layers switched on give (an outside date is no bound when off).
  function dateInputs() {
    [from, to].forEach(function (input) {
      input.disabled = !range.min;
      input.min = range.min || ""; input.max = range.max || "";
    });
    from.value = state.from || "";
    to.value = state.to || "";
  }
  dateInputs();
  from.addEventListener("change", function () { state.from = from.value || range.min; applyFilters(); });
  to.addEventListener("change", function () { state.to = to.value || range.max; applyFilters(); });
  $("show-undated").addEventListener("change", function (ev) { state.undated = ev.target.checked; applyFilters(); });
  $("reset").addEventListener("click", function () {
    state.groups = new Set(groupsOn);
    state.layers = new Set(page.layersOn);
    data.sources.forEach(function (s, i) { state.sources.add(i); $("source-" + i).checked = true; });
    state.key = layerKey(state.layers);
    range = dateRange(state.key);
    state.from = range.min; state.to = range.max; state.undated = true;
    groups.forEach(function (g) { $("class-" + g).checked = state.groups.has(g); });
    page.layers.forEach(function (l) { $("layer-" + l).checked = state.layers.has(l); });
    dateInputs();
    setTitles(true);
    $("show-undated").checked = true;
    applyFilters();
  });

  // ------------------------------------------------------------------ search
  // Ranked: exact label, then alias (a whole word of an actor's name: "Putin" for Vladimir Putin),
  // then label prefix, then label or type substring, then the text of its quotes.
  var degree = new Map(nodeItems.map(function (n) { return [n.id, incident.get(n.id).length]; }));
  function rank(n, q) {
    var d = data.details[n.id], label = d.label.toLowerCase();
    if (label === q) return 0;
    if (ACTORS.has(n.g) && (" " + label.replace(/[^\p{L}\p{N}]+/gu, " ") + " ").indexOf(" " + q + " ") >= 0) return 1;
    if (label.indexOf(q) === 0) return 2;
    if (label.indexOf(q) >= 0 || d.kind.toLowerCase().indexOf(q) >= 0) return 3;
    if (d.quotes.some(function (t) { return t.toLowerCase().indexOf(q) >= 0; })) return 4;
    return -1;
  }
  var RANK_NAMES = ["name", "alias", "name starts so", "name contains it", "quote"];
  var search = $("search");
  function runSearch() {
    var q = search.value.trim().toLowerCase().replace(/\s+/g, " ");
    var list = $("search-results");
    clear(list);
    if (!q) { $("search-count").textContent = ""; return; }
    var hits = [];
    nodeItems.forEach(function (n) { if (visible.has(n.id)) { var r = rank(n, q); if (r >= 0) hits.push([r, n]); } });
    hits.sort(function (a, b) {
      return a[0] - b[0] || degree.get(b[1].id) - degree.get(a[1].id) || data.details[a[1].id].label.localeCompare(data.details[b[1].id].label);
    });
    $("search-count").textContent = hits.length + (hits.length === 1 ? " match" : " matches");
    hits.slice(0, 50).forEach(function (hit) {
      var n = hit[1], li = el("li"), b = el("button", data.details[n.id].label);
      b.type = "button";
      b.setAttribute("data-id", n.id);
      b.title = "matched by " + RANK_NAMES[hit[0]];
      b.addEventListener("click", function () { focusNode(n.id); });
      li.appendChild(b);
      list.appendChild(li);
    });
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

  // ------------------------------------------------------------------ neighbourhood focus
  // A selected node keeps its neighbours and links in full colour; the rest fades.
  var focusId = null, labelShown = lean ? new Set() : null, fontSize = 13;
  function fade(id) {
    focusId = id;
    if (labelShown) declutter();
    paint();
  }
  // Node labels and faded state in one update: labels at a readable size on screen, and only as
  // many as fit without overlapping (best-connected first; the rest show on hover and in the panel).
  var measure = document.createElement("canvas").getContext("2d");
  var boxes = [];
  function declutter() {
    var scale = network.getScale(), ids = nodeView.getIds();
    if (lean) { declutterInView(scale, ids); return; }
    fontSize = Math.max(13, 12 / scale);
    labelShown = new Set();
    boxes = [];
    // A big page keeps vis-network's own label size: growing 5,000 labels to stay readable zoomed out
    // would pile them up and cost an update of every node.
    if (ids.length > 2000) { fontSize = 13; ids.forEach(function (id) { labelShown.add(id); }); return; }
    placeLabels(ids, network.getPositions(ids), scale, 1);
  }
  // A lean page keeps vis-network's label size too, and labels only the nodes in view once their
  // labels are drawn (vis-network draws none under 4 px on screen), without overlaps as below;
  // nodes out of view keep what they had, so a pan or zoom updates only the nodes in view.
  function declutterInView(scale, ids) {
    fontSize = 13;
    if (fontSize * scale < 4) return;  // nothing readable: the labels stay as they are, undrawn
    var a = network.DOMtoCanvas({ x: 0, y: 0 }), b = network.DOMtoCanvas({ x: container.clientWidth, y: container.clientHeight });
    var margin = 60, pos = network.getPositions(ids), inView = [], before = labelShown;
    ids.forEach(function (id) {
      var p = pos[id];
      if (p.x >= a.x - margin && p.x <= b.x + margin && p.y >= a.y - margin && p.y <= b.y + margin) inView.push(id);
    });
    var out = new Set(inView);
    labelShown = new Set();
    before.forEach(function (id) { if (!out.has(id)) labelShown.add(id); });
    boxes = [];
    placeLabels(inView, pos, scale, fontSize * scale / 12);
  }
  // Labels best placed first, each only where it overlaps none placed before (`ratio`: the drawn
  // font's size on screen over the 12 px measured).
  function placeLabels(ids, pos, scale, ratio) {
    measure.font = "12px system-ui, sans-serif";
    var cell = 120, grid = new Map();
    // The focused node and its neighbours claim their label space first, then the best-connected.
    var near = new Set();
    if (focusId !== null && incident.has(focusId)) {
      near.add(focusId);
      incident.get(focusId).forEach(function (e) { near.add(e.from); near.add(e.to); });
    }
    var first = function (id) { return id === focusId ? 0 : near.has(id) ? 1 : 2; };
    ids.sort(function (a, b) { return (first(a) - first(b)) || (degree.get(b) - degree.get(a)) || (a < b ? -1 : 1); });
    ids.forEach(function (id) {
      var n = nodeById.get(id), p = network.canvasToDOM(pos[id]);
      var w = measure.measureText(n.label).width * ratio + 4, top = p.y + n.size * scale + 1;
      var box = [p.x - w / 2, top, p.x + w / 2, top + 15 * ratio];
      var gx0 = Math.floor(box[0] / cell), gx1 = Math.floor(box[2] / cell), gy = Math.floor(box[1] / cell);
      var clash = false;
      for (var gx = gx0 - 1; gx <= gx1 + 1 && !clash; gx++) {
        for (var dy = -1; dy <= 1 && !clash; dy++) {
          (grid.get(gx + "," + (gy + dy)) || []).forEach(function (o) {
            if (box[0] < o[2] && o[0] < box[2] && box[1] < o[3] && o[1] < box[3]) clash = true;
          });
        }
      }
      if (clash) return;
      labelShown.add(id);
      boxes.push(box);
      for (var x = gx0; x <= gx1; x++) { var k = x + "," + gy; if (!grid.has(k)) grid.set(k, []); grid.get(k).push(box); }
    });
  }
  // What each item looks like now: as drawn first (full colour, label shown, size 13), so a paint
  // sends vis-network only the items that change (an update of every item cost seconds at 5,000 nodes).
  var painted = new Map();
  nodeItems.forEach(function (n) { painted.set(n.id, lean ? "0|0|13" : "0|1|13"); });
  edgeItems.forEach(function (e) { painted.set(e.id, "0"); });
  function paint() {
    var near = new Set(), links = new Set();
    if (focusId !== null && incident.has(focusId)) {
      near.add(focusId);
      incident.get(focusId).forEach(function (e) { near.add(e.from); near.add(e.to); links.add(e.id); });
    }
    var nodeUpdates = [], edgeUpdates = [];
    nodeItems.forEach(function (n) {
      var dim = focusId !== null && !near.has(n.id);
      var show = !labelShown || labelShown.has(n.id);
      var key = (dim ? 1 : 0) + "|" + (show ? 1 : 0) + "|" + fontSize;
      if (painted.get(n.id) === key) return;
      painted.set(n.id, key);
      nodeUpdates.push({ id: n.id, opacity: dim ? 0.15 : 1, label: show ? n.label : " ",
                         font: { size: fontSize, color: dim ? "rgba(34,34,34,0.25)" : "#222222", strokeWidth: 3, strokeColor: "#ffffff" } });
    });
    if (lean) {  // drawn by drawLinks: only the focus changes
      focusLinks = links;
      if (nodeUpdates.length) nodes.update(nodeUpdates); else network.redraw();
      return;
    }
    edgeItems.forEach(function (e) {
      var dim = focusId !== null && !links.has(e.id);
      var key = dim ? "1" : "0";
      if ((painted.get(e.id) || "0") === key) return;
      painted.set(e.id, key);
      edgeUpdates.push({ id: e.id, color: { color: e.color.color, highlight: "#111111", opacity: dim ? 0.08 : 0.85 },
                         font: { color: dim ? "rgba(85,85,85,0)" : "#555555" } });
    });
    if (nodeUpdates.length) nodes.update(nodeUpdates);
    if (edgeUpdates.length) edges.update(edgeUpdates);
  }
  var relabelTimer = null;
  function relabel() {
    clearTimeout(relabelTimer);
    relabelTimer = setTimeout(function () { declutter(); paint(); document.body.setAttribute("data-labelled", "1"); }, 120);
  }
  network.on("zoom", relabel);
  network.on("dragEnd", relabel);
  window.kg.labelBoxes = function () { return boxes.slice(); };

  // ------------------------------------------------------------------ side panel
  var panel = $("panel");
  $("panel-close").addEventListener("click", function () {
    panel.hidden = true; network.unselectAll(); pickedLink = null; selected = null; fade(null); syncHash();
  });
  // the panel's link is confirmed in the panel: on a phone the controls (and their status line) are folded
  $("panel-copy").addEventListener("click", function () { copyLink($("panel-copy-status")); });

  function fact(dl, name, value) {
    if (value === null || value === undefined || value === "") return;
    dl.appendChild(el("dt", name));
    dl.appendChild(el("dd", value));
  }
  // "DAY (external, source: SOURCE)", "between DAY (asserted) and DAY (inferred, via EVENT)"
  function boundText(d, key, via) {
    var notes = [d[key + "_layer"]];
    if (d[key + "_source"]) notes.push("source: " + d[key + "_source"]);
    if (via) notes.push("via " + via);
    return d[key] + " (" + notes.filter(Boolean).join(", ") + ")";
  }
  // The words of the layers switched on, of [word, layer] pairs.
  function wordsOn(pairs) {
    return (pairs || []).filter(function (m) { return state.layers.has(m[1]); }).map(function (m) { return m[0]; });
  }
  // The modalities (hedges and the like) of the layers switched on: "seemingly", "in its current form", "demanded".
  function hedgeText(details) {
    var found = wordsOn(details.modality);
    return found.length ? "modality: " + found.join(", ") : "";
  }
  // How far it goes, in the article's qualifier: "nearly", "relatively", "not easily".
  function degreeText(details) {
    var found = wordsOn(details.degree);
    return found.length ? "degree: " + found.join(", ") : "";
  }
  // The day each source states, with that source (two sources that disagree: both, never merged),
  // of the layers and sources switched on: "28 Feb (asserted, source: …); 1 Mar (asserted, source: …)".
  function statedText(details) {
    return details.stated.filter(function (s) { return state.layers.has(s[2]) && state.sources.has(s[1]); })
      .map(function (s) { return s[0] + " (" + s[2] + ", source: " + data.sources[s[1]].title + ")"; }).join("; ");
  }
  function whenText(details) {
    var d = datingOf(details);
    if (d.date) return boundText(d, "date", d.earliest_via || d.latest_via);
    if (d.earliest && d.latest) return "between " + boundText(d, "earliest", d.earliest_via) + " and " + boundText(d, "latest", d.latest_via);
    if (d.earliest) return "no earlier than " + boundText(d, "earliest", d.earliest_via);
    if (d.latest) return "no later than " + boundText(d, "latest", d.latest_via);
    return "";
  }
  function openPanel(kind, title) {
    panel.hidden = false;
    clear($("panel-copy-status"));
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
    selected = id;
    fade(id);
    openPanel(d.kind, d.label);
    var dl = $("panel-facts");
    fact(dl, "Type", d.kind);
    fact(dl, "Date", whenText(d));
    fact(dl, "Stated", statedText(d));
    fact(dl, "Modality", hedgeText(d).replace(/^modality: /, ""));
    fact(dl, "Degree", degreeText(d).replace(/^degree: /, ""));
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
    incident.get(id).forEach(function (e) {
      var other = e.from === id ? e.to : e.from;
      // nothing of a layer or a source switched off
      if (!layerOn(e) || !layerOn(nodeById.get(other)) || !sourceOn(data.details[other].spans)) return;
      rows.push({ other: other, edge: e, text: (e.from === id ? "→ " : "← ") + data.edgeDetails[edgeById.get(e.id)].relation });
    });
    rows.sort(function (a, b) { return labelOf(a.other).localeCompare(labelOf(b.other)); });
    $("panel-connections-heading").textContent = "Connections";
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
    if (!e) return;
    selected = id;
    fade(null);
    var d = data.edgeDetails[edgeById.get(id)];
    openPanel("Link: " + d.relation, d.label || d.relation);
    var dl = $("panel-facts");
    fact(dl, "From", labelOf(e.from));
    fact(dl, "To", labelOf(e.to));
    fact(dl, "Relation", d.iri || d.relation);
    fact(dl, "Role", d.role);
    fact(dl, "Event", d.event ? (data.details[d.event] ? labelOf(d.event) : d.label) : "");
    fact(dl, "Event type", d.kind);
    fact(dl, "Date", whenText(d));
    fact(dl, "Modality", hedgeText(d).replace(/^modality: /, ""));
    fact(dl, "Degree", degreeText(d).replace(/^degree: /, ""));
    fact(dl, "CAMEO", d.cameo);
    fact(dl, "Goldstein", d.goldstein);
    fact(dl, "Sign", d.sign);
    fact(dl, "Layer", d.layers.join(", "));
    // Parallel links between the same two nodes are one bundle: the panel lists every one shown.
    var bundle = incident.get(e.from).filter(function (x) {
      return ((x.from === e.from && x.to === e.to) || (x.from === e.to && x.to === e.from)) && edgeView.get(x.id);
    });
    clear($("panel-connections"));
    $("panel-connections-heading").textContent = bundle.length + " links between " + labelOf(e.from) + " and " + labelOf(e.to);
    $("panel-connections-section").hidden = bundle.length < 2;
    bundle.forEach(function (x) {
      var xd = data.edgeDetails[edgeById.get(x.id)], li = el("li");
      li.appendChild(el("span", (x.from === e.from ? "→ " : "← ") + xd.relation + " ", "rel"));
      var b = el("button", xd.label && xd.label !== xd.relation ? xd.label : xd.relation);
      b.type = "button";
      b.setAttribute("data-edge", x.id);
      if (x.id === id) b.setAttribute("aria-current", "true");
      b.addEventListener("click", function () { selectLink(x.id); showEdge(x.id); syncHash(); });
      li.appendChild(b);
      $("panel-connections").appendChild(li);
    });
    showEvidence(d.quotes, d.spans);
  }

  // Each source with its supporting passages marked; spans are [source, start, end] in UTF-16 units.
  function showEvidence(quotes, all) {
    var list = $("panel-quotes"), box = $("article");
    var spans = all.filter(function (s) { return state.sources.has(s[0]); });  // the sources switched on
    clear(list);
    clear(box);
    $("evidence-heading").textContent = spans.length
      ? "Evidence (" + spans.length + (spans.length === 1 ? " passage)" : " passages)")
      : (quotes.length ? "Quoted in the data" : "No quote in the data");
    if (!spans.length) quotes.forEach(function (q) { list.appendChild(el("li", "“" + q + "”")); });
    var bySource = new Map();
    spans.forEach(function (s) {
      if (!bySource.has(s[0])) bySource.set(s[0], []);
      bySource.get(s[0]).push([s[1], s[2]]);
    });
    box.hidden = spans.length === 0;
    Array.from(bySource.keys()).sort(function (a, b) { return a - b; }).forEach(function (index) {
      var source = data.sources[index], merged = [], marks = [], at = 0;
      var section = el("section", null, "source"), passages = el("ol", null, "quotes"), text = el("div", null, "source-text");
      section.appendChild(el("h4", source.title, "source-title"));
      text.tabIndex = 0;
      bySource.get(index).sort(function (a, b) { return a[0] - b[0]; }).forEach(function (s) {
        var last = merged[merged.length - 1];
        if (last && s[0] <= last[1]) last[1] = Math.max(last[1], s[1]); else merged.push([s[0], s[1]]);
      });
      merged.forEach(function (s) {
        if (s[0] > at) text.appendChild(document.createTextNode(source.text.slice(at, s[0])));
        var mark = el("mark", source.text.slice(s[0], s[1]));
        mark.setAttribute("data-start", s[0]);
        mark.setAttribute("data-end", s[1]);
        text.appendChild(mark);
        marks.push(mark);
        at = s[1];
      });
      text.appendChild(document.createTextNode(source.text.slice(at)));
      marks.forEach(function (mark) {
        var li = el("li"), b = el("button", "“" + mark.textContent + "”");
        b.type = "button";
        b.addEventListener("click", function () { scrollToMark(text, mark, marks); });
        li.appendChild(b);
        passages.appendChild(li);
      });
      section.appendChild(passages);
      section.appendChild(text);
      box.appendChild(section);
      if (marks.length) scrollToMark(text, marks[0], marks);
    });
  }
  function scrollToMark(text, mark, marks) {
    marks.forEach(function (m) { m.classList.remove("current"); });
    mark.classList.add("current");
    text.scrollTop = mark.offsetTop - text.offsetTop - text.clientHeight / 3;
  }

  network.on("click", function (params) {
    var link = lean && !params.nodes.length ? linkAt(params.pointer.canvas) : null;
    if (lean) pickedLink = link;
    if (params.nodes.length) showNode(params.nodes[0]);
    else if (params.edges.length) showEdge(params.edges[0]);
    else if (link !== null) { showEdge(link); network.redraw(); }
    else if (selected !== null) { selected = null; fade(null); panel.hidden = true; }
    syncHash();
  });

  // ------------------------------------------------------------------ deep links: #sel=…&layers=…&groups=…&from=…&to=…&undated=0&q=…
  var selected = null;
  function keys(set, all) { return all.filter(function (k) { return set.has(k); }).join(","); }
  function syncHash() {
    var st = {};
    if (selected !== null) st.sel = selected;
    if (keys(state.layers, page.layers) !== page.layersOn.join(",")) st.layers = keys(state.layers, page.layers);
    if (keys(state.groups, groups) !== groupsOn.filter(function (g) { return groups.indexOf(g) >= 0; }).join(",")) st.groups = keys(state.groups, groups);
    if (state.from !== range.min && state.from) st.from = state.from;
    if (state.to !== range.max && state.to) st.to = state.to;
    if (!state.undated) st.undated = "0";
    if (state.sources.size !== data.sources.length) st.src = Array.from(state.sources).sort().join(",");
    if (search.value.trim()) st.q = search.value.trim();
    var parts = Object.keys(st).sort().map(function (k) { return encodeURIComponent(k) + "=" + encodeURIComponent(st[k]); });
    var hash = parts.length ? "#" + parts.join("&") : "";
    if (hash !== location.hash) history.replaceState(null, "", location.pathname + location.search + hash);
  }
  function readHash() {
    var out = {};
    location.hash.replace(/^#/, "").split("&").forEach(function (part) {
      var i = part.indexOf("=");
      if (i > 0) out[decodeURIComponent(part.slice(0, i))] = decodeURIComponent(part.slice(i + 1));
    });
    return out;
  }
  function copyLink(status) {
    var url = location.href;
    var fallback = function () {
      clear(status);
      var input = el("input");
      input.type = "text"; input.readOnly = true; input.value = url; input.className = "link-box";
      status.appendChild(input);
      input.select();
    };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(url).then(function () { status.textContent = "Link copied: " + url; }, fallback);
    } else fallback();
  }
  ["change", "input"].forEach(function (type) { $("controls").addEventListener(type, function () { setTimeout(syncHash, 0); }); });
  $("reset").addEventListener("click", function () { setTimeout(syncHash, 0); });
  $("copy-view").addEventListener("click", function () { copyLink($("copy-status")); });
  function restore() {
    var h = readHash(), iso = /^\d{4}-\d{2}-\d{2}$/;
    var set = function (target, value, all, prefix) {
      if (value === undefined) return;
      var keep = new Set(value.split(",").filter(Boolean));
      target.clear();
      all.forEach(function (k) { if (keep.has(k)) target.add(k); var box = $(prefix + k); if (box) box.checked = keep.has(k); });
    };
    set(state.layers, h.layers, page.layers, "layer-");
    if (layerKey(state.layers) !== state.key) {
      state.key = layerKey(state.layers);
      range = dateRange(state.key);
      state.from = range.min; state.to = range.max;
      dateInputs();
      setTitles(true);
    }
    set(state.groups, h.groups, groups, "class-");
    if (h.from && iso.test(h.from)) { state.from = h.from; from.value = h.from; }
    if (h.to && iso.test(h.to)) { state.to = h.to; to.value = h.to; }
    if (h.undated === "0") { state.undated = false; $("show-undated").checked = false; }
    if (h.src !== undefined) {
      var keep = new Set(h.src.split(",").filter(Boolean).map(Number));
      data.sources.forEach(function (s, i) {
        if (keep.has(i)) state.sources.add(i); else state.sources.delete(i);
        $("source-" + i).checked = keep.has(i);
      });
    }
    if (h.q) search.value = h.q;
    // a link without filters leaves the view as set up (re-filtering 15,000 items is 5 % of a big first draw)
    if (["layers", "groups", "from", "to", "undated", "src", "q"].some(function (k) { return h[k] !== undefined; })) applyFilters();
    return h.sel;
  }

  // ------------------------------------------------------------------ export: PNG, SVG of the view; CSV of the selection
  function download(name, blob) {
    var a = el("a");
    a.href = URL.createObjectURL(blob);
    a.download = name;
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  }
  var base = (location.pathname.split("/").pop() || "graph.html").replace(/\.html$/, "");
  function exportPng() {
    var canvas = container.querySelector("canvas");
    var out = document.createElement("canvas");
    out.width = canvas.width; out.height = canvas.height;
    var ctx = out.getContext("2d");
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, out.width, out.height);
    ctx.drawImage(canvas, 0, 0);
    out.toBlob(function (blob) { download(base + ".png", blob); }, "image/png");
  }
  function exportSvg() {
    var shown = nodeView.getIds(), pos = network.getPositions(shown);
    var svg = document.createElementNS(SVG, "svg");
    var xs = shown.map(function (id) { return pos[id].x; }), ys = shown.map(function (id) { return pos[id].y; });
    var x0 = Math.min.apply(null, xs.concat([0])) - 120, y0 = Math.min.apply(null, ys.concat([0])) - 60;
    var w = Math.max.apply(null, xs.concat([0])) + 120 - x0, h = Math.max.apply(null, ys.concat([0])) + 80 - y0;
    svg.setAttribute("xmlns", SVG);
    svg.setAttribute("viewBox", [x0, y0, w, h].map(function (v) { return Math.round(v); }).join(" "));
    svg.setAttribute("width", Math.round(w)); svg.setAttribute("height", Math.round(h));
    svg.setAttribute("font-family", "system-ui, sans-serif");
    var bg = document.createElementNS(SVG, "rect");
    bg.setAttribute("x", x0); bg.setAttribute("y", y0); bg.setAttribute("width", w); bg.setAttribute("height", h); bg.setAttribute("fill", "#ffffff");
    svg.appendChild(bg);
    var title = document.createElementNS(SVG, "title");
    title.textContent = page.title;
    svg.appendChild(title);
    edgeView.forEach(function (e) {
      var a = pos[e.from], b = pos[e.to];
      if (!a || !b) return;
      var line = document.createElementNS(SVG, "line");
      line.setAttribute("x1", a.x); line.setAttribute("y1", a.y); line.setAttribute("x2", b.x); line.setAttribute("y2", b.y);
      line.setAttribute("stroke", e.color.color); line.setAttribute("stroke-opacity", "0.7"); line.setAttribute("stroke-width", e.width);
      if (e.dashes) line.setAttribute("stroke-dasharray", Array.isArray(e.dashes) ? e.dashes.join(" ") : "6 4");
      svg.appendChild(line);
    });
    shown.forEach(function (id) {
      var n = nodeById.get(id), c = document.createElementNS(SVG, "circle");
      c.setAttribute("cx", pos[id].x); c.setAttribute("cy", pos[id].y); c.setAttribute("r", n.size);
      c.setAttribute("fill", n.color.background); c.setAttribute("stroke", n.color.border);
      svg.appendChild(c);
      var label = document.createElementNS(SVG, "text");
      label.setAttribute("x", pos[id].x); label.setAttribute("y", pos[id].y + n.size + 13);
      label.setAttribute("text-anchor", "middle"); label.setAttribute("font-size", "12"); label.setAttribute("fill", "#222222");
      label.textContent = n.label;
      svg.appendChild(label);
    });
    download(base + ".svg", new Blob([new XMLSerializer().serializeToString(svg)], { type: "image/svg+xml" }));
  }
  // A cell a spreadsheet would read as a formula (= + - @, or a tab/CR first) is prefixed with '.
  function csvCell(value) {
    var text = value === null || value === undefined ? "" : String(value);
    if (/^[=+\-@\t\r]/.test(text)) text = "'" + text;
    return /[",\r\n]/.test(text) ? "\"" + text.replace(/"/g, "\"\"") + "\"" : text;
  }
  function exportCsv() {
    // The selection: the selected node and its neighbourhood, else everything shown.
    var ids = selected !== null && nodeById.has(selected) ? [selected] : nodeView.getIds();
    var keep = new Set(ids);
    if (selected !== null && nodeById.has(selected)) incident.get(selected).forEach(function (e) { if (visible.has(e.from) && visible.has(e.to)) { keep.add(e.from); keep.add(e.to); } });
    var rows = [["row", "id", "label", "type", "from", "to", "date", "earliest", "latest", "layers"]];
    nodeItems.forEach(function (n) {
      if (!keep.has(n.id)) return;
      var d = data.details[n.id];
      var t = datingOf(d);
      rows.push(["node", n.id, d.label, d.kind, "", "", t.date, t.earliest, t.latest, d.layers.join(" ")]);
    });
    edgeView.forEach(function (e) {
      if (!keep.has(e.from) || !keep.has(e.to)) return;
      var d = data.edgeDetails[edgeById.get(e.id)];
      var t = datingOf(d);
      rows.push(["link", e.id, d.label || d.relation, d.relation, e.from, e.to, t.date, t.earliest, t.latest, d.layers.join(" ")]);
    });
    var text = rows.map(function (r) { return r.map(csvCell).join(","); }).join("\r\n") + "\r\n";
    download(base + ".csv", new Blob([text], { type: "text/csv;charset=utf-8" }));
  }
  $("export-png").addEventListener("click", exportPng);
  $("export-svg").addEventListener("click", exportSvg);
  $("export-csv").addEventListener("click", exportCsv);

  updateCounts();
  var wanted = restore();
  if (window.matchMedia && window.matchMedia("(max-width: 900px)").matches) $("controls-box").open = false;
  var first = wanted && (nodeById.has(wanted) || edgeById.has(wanted)) ? wanted : (page.focus && nodeById.has(page.focus) ? page.focus : null);
  if (first !== null && nodeById.has(first) && visible.has(first)) {
    network.selectNodes([first], true);
    showNode(first);
  } else if (first !== null && edgeById.has(first) && edgeView.get(first)) {
    selectLink(first);
    showEdge(first);
  }
  syncHash();
})();
