/* peace-talks-kg: what every story page shares (evidence panel, deep links, sources, CSV, downloads).
   Data comes from the JSON block only; every string from it reaches the DOM through textContent or a
   checked attribute, never through innerHTML. */
window.KG = (function () {
  "use strict";
  var data = JSON.parse(document.getElementById("kg-data").textContent);
  var $ = function (id) { return document.getElementById(id); };
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  var LAYER_NAMES = { asserted: "the article (asserted)", inferred: "inferred (rules)", external: "outside sources (external)" };

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function button(text, onClick, cls) {
    var b = el("button", text, cls);
    b.type = "button";
    b.addEventListener("click", onClick);
    return b;
  }
  function day(iso) {  // ISO "YYYY-MM-DD" -> "D Mon YYYY" (as "1 Jan 2030"), whatever the browser's locale
    var m = /^(-?\d{4})-(\d{2})-(\d{2})/.exec(iso || "");
    return m ? (+m[3]) + " " + MONTHS[+m[2] - 1] + " " + m[1] : String(iso || "");
  }
  function layerText(fact) {  // "inferred" / "external, source: SOURCE"
    var text = fact.layer;
    if (fact.layer === "external") text += ", source: " + (fact.source || "not named in the data");
    return text;
  }

  // On a phone the filters start folded, so the view comes first.
  if (window.matchMedia && window.matchMedia("(max-width: 900px)").matches && $("controls-box")) $("controls-box").open = false;

  // ---------------------------------------------------------------- deep links: #key=value&key=value
  function readHash() {
    var out = {};
    location.hash.replace(/^#/, "").split("&").forEach(function (part) {
      if (!part) return;
      var i = part.indexOf("=");
      var key = decodeURIComponent(i < 0 ? part : part.slice(0, i));
      out[key] = i < 0 ? "" : decodeURIComponent(part.slice(i + 1));
    });
    return out;
  }
  function writeHash(state) {
    var parts = Object.keys(state).sort().filter(function (k) { return state[k] !== null && state[k] !== undefined; })
      .map(function (k) { return encodeURIComponent(k) + "=" + encodeURIComponent(state[k]); });
    var hash = parts.length ? "#" + parts.join("&") : "";
    if (hash !== location.hash) history.replaceState(null, "", location.pathname + location.search + hash);
  }
  function copyLink(status) {
    var url = location.href;
    var done = function () { if (status) status.textContent = "Link copied: " + url; };
    var fallback = function () {  // no clipboard (some browsers, file pages): show it selected
      if (!status) return;
      clear(status);
      var input = el("input");
      input.type = "text"; input.readOnly = true; input.value = url; input.className = "link-box";
      status.appendChild(input);
      input.select();
    };
    if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(url).then(done, fallback);
    else fallback();
  }

  // ---------------------------------------------------------------- sources
  var sourcesOn = new Set(data.sources.map(function (s) { return s.iri; }));
  function sourceFilter(onChange) {
    var box = $("filter-sources");
    data.sources.forEach(function (s, i) {
      var label = el("label"), input = el("input");
      input.type = "checkbox"; input.id = "source-" + i; input.checked = sourcesOn.has(s.iri);
      input.addEventListener("change", function () {
        if (input.checked) sourcesOn.add(s.iri); else sourcesOn.delete(s.iri);
        onChange();
      });
      label.appendChild(input);
      label.appendChild(el("span", s.title));
      box.appendChild(label);
    });
  }
  // A thing shows when one of its passages is in a source switched on (or when it has no passage at all).
  function fromSourcesOn(spans) {
    if (!spans || !spans.length) return true;
    return spans.some(function (s) { return sourcesOn.has(data.sources[s[0]].iri); });
  }
  function sourcesState() {
    if (sourcesOn.size === data.sources.length) return null;
    return data.sources.map(function (s, i) { return sourcesOn.has(s.iri) ? i : null; })
      .filter(function (i) { return i !== null; }).join(",");
  }
  function restoreSources(value) {
    if (value === undefined || value === null) return;
    var keep = new Set(String(value).split(",").filter(Boolean).map(Number));
    data.sources.forEach(function (s, i) {
      if (keep.has(i)) sourcesOn.add(s.iri); else sourcesOn.delete(s.iri);
      var box = $("source-" + i);
      if (box) box.checked = keep.has(i);
    });
  }

  // ---------------------------------------------------------------- the evidence panel
  var panel = $("panel");
  var onClose = null;
  $("panel-close").addEventListener("click", function () { closePanel(); });
  // the panel's link is confirmed in the panel: on a phone the controls (and their status line) are folded
  $("panel-copy").addEventListener("click", function () { copyLink($("panel-copy-status")); });
  function closePanel() {
    panel.hidden = true;
    document.body.classList.remove("panel-open");
    if (onClose) onClose();
  }
  function openPanel(kind, title, facts, close) {
    panel.hidden = false;
    document.body.classList.add("panel-open");
    onClose = close || null;
    clear($("panel-copy-status"));
    $("panel-type").textContent = kind;
    $("panel-title").textContent = title;
    var dl = $("panel-facts");
    clear(dl);
    clear($("panel-extra"));
    (facts || []).forEach(function (f) {
      if (f[1] === null || f[1] === undefined || f[1] === "") return;
      dl.appendChild(el("dt", f[0]));
      var dd = el("dd");
      if (f[1] instanceof Node) dd.appendChild(f[1]); else dd.textContent = String(f[1]);
      dl.appendChild(dd);
    });
    panel.scrollTop = 0;
    return $("panel-extra");
  }

  // Each source with its passages marked; spans are [source index, start, end] in UTF-16 units.
  function showEvidence(quotes, spans) {
    var box = $("evidence");
    clear(box);
    spans = (spans || []).filter(function (s) { return sourcesOn.has(data.sources[s[0]].iri); });
    $("evidence-heading").textContent = spans.length
      ? "Evidence (" + spans.length + (spans.length === 1 ? " passage)" : " passages)")
      : (quotes && quotes.length ? "Quoted in the data" : "No passage in the sources switched on");
    var bySource = new Map();
    spans.forEach(function (s) {
      if (!bySource.has(s[0])) bySource.set(s[0], []);
      bySource.get(s[0]).push([s[1], s[2]]);
    });
    if (!spans.length && quotes && quotes.length) {
      var list = el("ol", null, "quotes");
      quotes.forEach(function (q) { list.appendChild(el("li", "“" + q + "”")); });
      box.appendChild(list);
    }
    Array.from(bySource.keys()).sort(function (a, b) { return a - b; }).forEach(function (index) {
      var source = data.sources[index];
      var section = el("section", null, "source");
      section.appendChild(el("h4", source.title, "source-title"));
      if (source.publisher) section.appendChild(el("p", source.publisher, "source-meta"));
      var list = el("ol", null, "quotes"), article = el("div", null, "article");
      article.tabIndex = 0;
      var merged = [];
      bySource.get(index).sort(function (a, b) { return a[0] - b[0]; }).forEach(function (s) {
        var last = merged[merged.length - 1];
        if (last && s[0] <= last[1]) last[1] = Math.max(last[1], s[1]); else merged.push([s[0], s[1]]);
      });
      var text = source.text, at = 0, marks = [];
      merged.forEach(function (s) {
        if (s[0] > at) article.appendChild(document.createTextNode(text.slice(at, s[0])));
        var mark = el("mark", text.slice(s[0], s[1]));
        article.appendChild(mark);
        marks.push(mark);
        at = s[1];
      });
      article.appendChild(document.createTextNode(text.slice(at)));
      marks.forEach(function (mark) {
        var li = el("li"), b = button("“" + mark.textContent + "”", function () { scrollToMark(article, mark, marks); });
        li.appendChild(b);
        list.appendChild(li);
      });
      section.appendChild(list);
      section.appendChild(article);
      box.appendChild(section);
      if (marks.length) setTimeout(function () { scrollToMark(article, marks[0], marks); }, 0);
    });
  }
  function scrollToMark(article, mark, marks) {
    marks.forEach(function (m) { m.classList.remove("current"); });
    mark.classList.add("current");
    article.scrollTop = mark.offsetTop - article.offsetTop - article.clientHeight / 3;
  }

  // ---------------------------------------------------------------- layers
  function layerFilter(layers, on, onChange) {
    var box = $("filter-layers");
    layers.forEach(function (layer) {
      var label = el("label"), input = el("input");
      input.type = "checkbox"; input.id = "layer-" + layer; input.checked = on.has(layer);
      input.addEventListener("change", function () {
        if (input.checked) on.add(layer); else on.delete(layer);
        onChange();
      });
      label.appendChild(input);
      label.appendChild(el("span", LAYER_NAMES[layer] || layer));
      box.appendChild(label);
    });
  }
  function setLayers(on, value, layers) {
    if (value === undefined || value === null) return;
    var keep = new Set(String(value).split(",").filter(Boolean));
    on.clear();
    layers.forEach(function (l) { if (keep.has(l)) on.add(l); var b = $("layer-" + l); if (b) b.checked = keep.has(l); });
  }

  // ---------------------------------------------------------------- CSV and downloads
  // A cell a spreadsheet would read as a formula (= + - @, or a tab/CR first) is prefixed with '.
  function csvCell(value) {
    var text = value === null || value === undefined ? "" : String(value);
    if (/^[=+\-@\t\r]/.test(text)) text = "'" + text;
    return /[",\r\n]/.test(text) ? "\"" + text.replace(/"/g, "\"\"") + "\"" : text;
  }
  function csv(rows) { return rows.map(function (r) { return r.map(csvCell).join(","); }).join("\r\n") + "\r\n"; }
  function download(name, blob) {
    var a = el("a");
    a.href = URL.createObjectURL(blob);
    a.download = name;
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  }
  function downloadCsv(name, rows) { download(name, new Blob([csv(rows)], { type: "text/csv;charset=utf-8" })); }

  return {
    data: data, $: $, el: el, clear: clear, button: button, day: day, layerText: layerText, LAYER_NAMES: LAYER_NAMES,
    readHash: readHash, writeHash: writeHash, copyLink: copyLink,
    sourceFilter: sourceFilter, fromSourcesOn: fromSourcesOn, sourcesState: sourcesState, restoreSources: restoreSources,
    openPanel: openPanel, closePanel: closePanel, showEvidence: showEvidence,
    layerFilter: layerFilter, setLayers: setLayers, csvCell: csvCell, csv: csv, download: download, downloadCsv: downloadCsv
  };
})();
