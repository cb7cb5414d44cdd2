/* Story timeline on vis-timeline. Dates keep their layer: the page recomputes every placement from
   the date facts and order links of the layers switched on. Text reaches the DOM as text only. */
(function () {
  "use strict";
  var K = window.KG, data = K.data, T = data.timeline, $ = K.$, el = K.el;
  var DAY = 86400000;
  var LAYERS = data.page.layers;
  var state = { layers: new Set(data.page.layersOn), rows: "thread", selected: null, window: null };
  var events = new Map(T.events.map(function (e) { return [e.id, e]; }));
  var threadName = new Map(T.threads);
  var actorName = new Map(T.actors);
  function label(id) { return T.labels[id] || id; }
  function ms(iso) { return Date.parse(iso + "T00:00:00Z"); }
  function isoOf(t) { return new Date(t).toISOString().slice(0, 10); }

  // ---------------------------------------------------------------- placement
  // kg.views has combined the dates of every combination of layers: bounds intersect, the tightest
  // wins with its layer and source, and bounds are carried along pt:precedes (then "via" names the
  // event they come through). The page picks the combination switched on and draws it.
  function combo() { return LAYERS.filter(function (l) { return state.layers.has(l); }).join(","); }
  function fact(d, key) {
    if (!d[key]) return null;
    return { v: d[key], layer: d[key + "_layer"] || "", source: d[key + "_source"] || "", via: d[key + "_via"] || "" };
  }
  function rawFacts(ev) { return ev.dates.filter(function (f) { return state.layers.has(f.layer); }); }

  function place() {
    var key = combo();
    var shown = T.events.filter(function (e) {
      return e.layers.some(function (l) { return state.layers.has(l); }) && K.fromSourcesOn(e.spans);
    });
    var on = new Set(shown.map(function (e) { return e.id; }));
    var links = T.order.filter(function (o) {
      return on.has(o[0]) && on.has(o[1]) && o[2].some(function (l) { return state.layers.has(l); });
    });
    var preds = new Map(), succs = new Map();
    shown.forEach(function (e) { preds.set(e.id, []); succs.set(e.id, []); });
    links.forEach(function (o) { succs.get(o[0]).push(o[1]); preds.get(o[1]).push(o[0]); });
    var rank = new Map(shown.map(function (e) {
      var d = e.dating[key] || {};
      return [e.id, d.order === undefined ? 1e6 : d.order];
    }));
    var placed = new Map(), windows = new Map();
    shown.forEach(function (e) {
      var d = e.dating[key] || {};
      var own = { facts: rawFacts(e), conflicts: d.conflicts || [] };
      var date = fact(d, "date"), lo = fact(d, "earliest"), hi = fact(d, "latest");
      if (date) {
        date.via = date.via || (lo && lo.via) || "";
        placed.set(e.id, { kind: "date", start: ms(date.v), fact: date, own: own });
      } else if (lo && hi && !lo.via && !hi.via) {
        placed.set(e.id, { kind: "range", start: ms(lo.v), end: ms(hi.v) + DAY, lo: lo, hi: hi, own: own });
      } else if ((lo && lo.via) || (hi && hi.via)) {
        var w = (lo ? lo.v : "") + "|" + (hi ? hi.v : "");
        if (!windows.has(w)) windows.set(w, []);
        windows.get(w).push(e.id);
        placed.set(e.id, { kind: "order", lo: lo, hi: hi, own: own });
      } else placed.set(e.id, { kind: "none", lo: lo, hi: hi, own: own });
    });
    // Order-only events spread evenly between their bounds, in their order.
    windows.forEach(function (ids) {
      ids.sort(function (a, b) { return rank.get(a) - rank.get(b); });
      ids.forEach(function (id, i) {
        var p = placed.get(id), a = p.lo ? ms(p.lo.v) : null, b = p.hi ? ms(p.hi.v) + DAY : null;
        if (a !== null && b !== null && b > a) p.start = a + (b - a) * (i + 1) / (ids.length + 1);
        else if (a !== null) p.start = a + (i + 1) * 2 * DAY;
        else p.start = b - (ids.length - i + 1) * 2 * DAY;
        p.start = Math.round(p.start / DAY) * DAY;
      });
    });
    // Never draw an order-only event before one the data says precedes it.
    shown.slice().sort(function (a, b) { return rank.get(a.id) - rank.get(b.id); }).forEach(function (e) {
      var p = placed.get(e.id);
      if (p.kind !== "order") return;
      preds.get(e.id).forEach(function (q) {
        var pq = placed.get(q);
        if (pq.start !== undefined && pq.start >= p.start) p.start = pq.start + DAY;
      });
    });
    return { shown: shown, placed: placed, preds: preds, succs: succs };
  }

  // ---------------------------------------------------------------- drawing
  var container = $("timeline");
  var items = new vis.DataSet(), groups = new vis.DataSet();
  function content(item) {
    if (item.type === "background") { var band = el("span", null, "bounds-label"); band.title = item.full; return band; }
    var box = el("span", null, "item-text");
    box.appendChild(el("span", item.text, "item-label"));
    if (item.tag) box.appendChild(el("span", item.tag, "item-tag"));
    box.title = item.full;
    return box;
  }
  var timeline = null;
  window.kg = { items: items, groups: groups, firstDraw: null };
  function makeTimeline(start, end) {
  timeline = new vis.Timeline(container, items, groups, {
    start: start, end: end,
    moment: function (date) { return vis.moment(date).utc(); },
    template: content,
    groupTemplate: function (g) { return el("span", g.text, "group-label"); },
    stack: true, align: "left", orientation: { axis: "top", item: "top" }, selectable: true, multiselect: false,
    showCurrentTime: false, verticalScroll: true, zoomKey: "ctrlKey", height: "100%",
    margin: { item: { horizontal: 6, vertical: 5 }, axis: 6 },
    zoomMin: 5 * DAY, zoomMax: 20 * 365 * DAY, groupOrder: "order", tooltip: { followMouse: false }
  });
  window.kg.timeline = timeline;
  timeline.on("changed", function () {
    if (window.kg.firstDraw === null) {
      window.kg.firstDraw = performance.now();
      document.body.setAttribute("data-drawn", "1");
    }
  });
  timeline.on("select", function (props) {
    if (!props.items.length) return;
    var it = items.get(props.items[0]);
    if (it) select(it.event, true);
  });
  timeline.on("rangechanged", function (props) {
    if (!props.byUser) return;
    state.window = isoOf(props.start.valueOf()) + ".." + isoOf(props.end.valueOf());
    syncHash();
  });
  }

  var current = null;
  function short(text) { return text.length > 44 ? text.slice(0, 43).replace(/\s+$/, "") + "…" : text; }
  function draw() {
    current = place();
    var rows = [], list = [];
    var unplaced = [];
    var counts = { date: 0, range: 0, order: 0, none: 0 };
    current.shown.forEach(function (ev) {
      var p = current.placed.get(ev.id);
      counts[p.kind] += 1;
      if (p.kind === "none") { unplaced.push(ev); return; }
      var tag = p.kind === "order" ? "order only" : p.kind === "range" ? "between bounds" : "";
      var layer = p.kind === "date" ? p.fact.layer : p.kind === "range" ? p.lo.layer : "order";
      var rowsOf = state.rows === "thread" ? [ev.thread] : actorsOf(ev);
      if (p.kind === "range") tag = K.day(p.lo.v).replace(/ \d{4}$/, "") + " – " + K.day(p.hi.v);
      rowsOf.forEach(function (row) {
        var id = state.rows === "thread" ? ev.id : ev.id + "|" + row;
        list.push({
          id: id, event: ev.id, group: row, start: p.start, type: "box",
          text: short(ev.label), full: ev.label, tag: tag,
          className: "kind-" + p.kind + " layer-" + layer + (ev.status === "planned" ? " planned" : "")
        });
        // The bounds themselves: a band across the row from the earliest to the latest day.
        if (p.kind === "range") list.push({ id: id + "|bounds", event: ev.id, group: row, start: p.start, end: p.end,
          type: "background", className: "bounds", text: "", full: ev.label + ": " + tag });
      });
    });
    if (state.rows === "thread") {
      T.threads.forEach(function (t, i) {
        if (list.some(function (it) { return it.group === t[0]; })) rows.push({ id: t[0], text: t[1], order: i });
      });
    } else {
      var tally = new Map();
      list.forEach(function (it) { tally.set(it.group, (tally.get(it.group) || 0) + 1); });
      Array.from(tally.keys()).sort(function (a, b) {
        return (a === "" ? 1 : 0) - (b === "" ? 1 : 0) || tally.get(b) - tally.get(a) || (actorName.get(a) || "").localeCompare(actorName.get(b) || "");
      }).forEach(function (id, i) { rows.push({ id: id, text: id === "" ? "No actor named" : actorName.get(id) || id, order: i }); });
    }
    items.clear(); groups.clear();
    groups.add(rows); items.add(list);
    if (!timeline) {
      var w = windowFromHash() || initialWindow() || [Date.now() - 30 * DAY, Date.now()];
      makeTimeline(w[0], w[1]);
    }
    var boxes = list.filter(function (it) { return it.type !== "background"; }).length;
    window.kg.itemCount = boxes;
    document.body.setAttribute("data-items", boxes);
    document.body.setAttribute("data-events", current.shown.length);
    $("counts").textContent = current.shown.length + " events · " + counts.date + " dated · " + counts.range +
      " between bounds · " + counts.order + " order only · " + counts.none + " not placed";
    var box = $("unplaced");
    K.clear(box);
    $("unplaced-heading").textContent = unplaced.length
      ? "Not on the time axis: " + unplaced.length + " events the layers switched on give neither a date nor an order link (show them)"
      : "";
    $("unplaced-box").hidden = unplaced.length === 0;
    unplaced.sort(function (a, b) { return a.label.localeCompare(b.label); }).forEach(function (ev) {
      var li = el("li");
      li.appendChild(K.button(ev.label, function () { select(ev.id); }));
      li.setAttribute("data-event", ev.id);
      box.appendChild(li);
    });
    if (state.selected && !current.placed.has(state.selected)) state.selected = null;
    if (state.selected) select(state.selected, true); else { timeline.setSelection([]); syncHash(); }
  }
  function actorsOf(ev) {
    var found = [];
    ev.roles.forEach(function (r) { r[1].forEach(function (a) { if (found.indexOf(a) < 0) found.push(a); }); });
    return found.length ? found : [""];
  }

  // ---------------------------------------------------------------- the panel
  function factText(f) {
    return K.day(f.v) + " (" + K.layerText(f) + (f.note ? " — " + f.note : "") + ")";
  }
  function boundText(f, id) {
    if (!f.via || f.via === id) return factText(f);
    return factText(f) + ", through «" + label(f.via) + "»";
  }
  function whenText(id) {
    var p = current.placed.get(id);
    if (p.kind === "date") return boundText(p.fact, id);
    if (p.kind === "range") return "between " + factText(p.lo) + " and " + factText(p.hi);
    var parts = [];
    if (p.lo) parts.push("no earlier than " + boundText(p.lo, id));
    if (p.hi) parts.push("no later than " + boundText(p.hi, id));
    if (p.kind === "order") return "Not dated; order only: " + parts.join("; ");
    return parts.length ? "Not placed: only " + parts.join("; ") : "No date and no order link in the layers switched on";
  }
  // The next events, not the whole chain (the inferred layer holds the transitive closure).
  function direct(ids, next) {
    return ids.filter(function (n) { return !ids.some(function (m) { return m !== n && next.get(m).indexOf(n) >= 0; }); });
  }
  function neighbours(ids, next) {
    ids = direct(ids, next);
    if (!ids.length) return null;
    var box = el("ul", null, "neighbours");
    ids.slice().sort(function (a, b) { return label(a).localeCompare(label(b)); }).forEach(function (n) {
      var li = el("li");
      li.appendChild(K.button(label(n), function () { select(n); }, "link"));
      box.appendChild(li);
    });
    return box;
  }
  // The day each source states, with that source (two sources that disagree: both, never merged).
  function statedText(ev) {
    return (ev.stated || []).filter(function (s) { return state.layers.has(s[2]) && K.fromSourcesOn([[s[1]]]); })
      .map(function (s) { return s[0] + " (" + s[2] + ", source: " + data.sources[s[1]].title + ")"; }).join("; ");
  }
  function select(id, quiet) {
    var ev = events.get(id);
    if (!ev || !current.placed.has(id)) return;
    state.selected = id;
    var ids = items.getIds({ filter: function (it) { return it.event === id; } });
    timeline.setSelection(ids);
    if (ids.length && !quiet) timeline.focus(ids[0], { animation: false, zoom: false });
    var p = current.placed.get(id);
    var other = p.own.facts;
    var roles = ev.roles.map(function (r) { return r[0] + ": " + r[1].map(label).join(", "); }).join("; ");
    K.openPanel(threadName.get(ev.thread) || ev.thread, ev.label, [
      ["When", whenText(id)],
      ["In the article's words", ev.words.join("; ")],
      ["Stated by the sources", statedText(ev)],
      ["Dates in the data", other.map(function (f) {
        return { date: "on", earliest: "from", latest: "until" }[f.p] + " " + factText(f) + (f.via ? " (date of «" + label(f.via) + "», of which it is part)" : "");
      }).join("; ")],
      ["Conflicts", p.own.conflicts.join("; ")],
      ["Status", ev.status === "planned" ? "planned (not held when the article was written)" : ev.statusLabel],
      ["Modality", (ev.modality || []).filter(function (m) { return state.layers.has(m[1]); })
        .map(function (m) { return m[0]; }).join(", ")],
      ["Who", roles],
      ["Comes after", neighbours(current.preds.get(id), current.preds)],
      ["Comes before", neighbours(current.succs.get(id), current.succs)],
      ["Layer", ev.layers.join(", ")],
      ["IRI", id]
    ], function () { state.selected = null; timeline.setSelection([]); syncHash(); });
    K.showEvidence(ev.quotes, ev.spans);
    syncHash();
  }
  // ---------------------------------------------------------------- controls and deep links
  function syncHash() {
    var layers = LAYERS.filter(function (l) { return state.layers.has(l); }).join(",");
    K.writeHash({
      sel: state.selected, rows: state.rows === "thread" ? null : state.rows,
      layers: layers === data.page.layersOn.join(",") ? null : layers, src: K.sourcesState(), win: state.window
    });
  }
  K.layerFilter(LAYERS, state.layers, draw);
  K.sourceFilter(draw);
  document.querySelectorAll("input[name=rows]").forEach(function (radio) {
    radio.addEventListener("change", function () { if (radio.checked) { state.rows = radio.value; draw(); } });
  });
  $("copy-view").addEventListener("click", function () { K.copyLink($("copy-status")); });
  $("fit").addEventListener("click", function () { timeline.fit({ animation: false }); });
  $("export-csv").addEventListener("click", function () {
    var rows = [["event", "label", "thread", "placed", "date", "date layer", "earliest", "earliest layer", "latest", "latest layer", "outside source"]];
    current.shown.forEach(function (ev) {
      var p = current.placed.get(ev.id), date = p.fact, lo = p.lo, hi = p.hi;
      var sources = [date, lo, hi].filter(function (f) { return f && f.source; }).map(function (f) { return f.source; });
      rows.push([ev.id, ev.label, threadName.get(ev.thread), p.kind === "order" ? "order only" : p.kind === "none" ? "not placed" : p.kind,
        date ? date.v : "", date ? date.layer : "", lo ? lo.v : "", lo ? lo.layer : "",
        hi ? hi.v : "", hi ? hi.layer : "", Array.from(new Set(sources)).join("; ")]);
    });
    K.downloadCsv("timeline.csv", rows);
  });
  function initialWindow() {
    var starts = [];
    current.placed.forEach(function (p) { if (p.kind !== "none") starts.push(p.start); if (p.end) starts.push(p.end); });
    if (!starts.length) return null;
    starts.sort(function (a, b) { return a - b; });
    var last = starts[starts.length - 1];
    // The story's year: older background (2014, 2022) is a scroll or "Show everything" away.
    var first = starts.filter(function (t) { return t >= last - 200 * DAY; })[0];
    return [first - 7 * DAY, last + 28 * DAY];  // room for the labels of the last boxes
  }
  var hash = K.readHash();
  K.setLayers(state.layers, hash.layers, LAYERS);
  K.restoreSources(hash.src);
  if (hash.rows === "actor") { state.rows = "actor"; $("rows-actor").checked = true; }
  state.selected = hash.sel || null;
  function windowFromHash() {
    var win = /^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$/.exec(hash.win || "");
    if (!win || ms(win[2]) <= ms(win[1])) return null;
    state.window = hash.win;
    return [ms(win[1]), ms(win[2])];
  }
  draw();
})();
