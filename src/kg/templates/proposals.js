/* Proposal tracker: who proposed what, and how each actor answered it, over time. Text reaches the
   DOM as text only. */
(function () {
  "use strict";
  var K = window.KG, data = K.data, P = data.proposals, $ = K.$, el = K.el;
  var LAYERS = data.page.layers;
  var state = { layers: new Set(data.page.layersOn), selected: null };
  var names = new Map(P.actors);
  var rowsById = new Map(P.rows.map(function (r) { return [r.id, r]; }));
  var cellsById = new Map(P.cells.map(function (c) { return [c.id, c]; }));
  function name(id) { return names.get(id) || P.labels[id] || id; }
  var WORDS = { support: "supports", oppose: "opposes", conditionalSupport: "supports on a condition",
    proposed: "proposed it", raised: "raised it" };
  window.kg = { firstDraw: null };

  function on(thing) {
    return thing.layers.some(function (l) { return state.layers.has(l); }) && K.fromSourcesOn(thing.spans);
  }
  function chipText(c) {
    var text = c.type === "raised" || c.type === "act" || (c.type === "proposed" && c.modality) ? c.modality
      : WORDS[c.polarity || c.type] || c.polarity;
    if (c.hedge) text += " (" + c.hedge + ")";
    if (c.target && c.target !== c.proposal) {
      var part = P.labels[c.target] || c.target;
      text += " the provision “" + (part.length > 30 ? part.slice(0, 29).replace(/\s+$/, "") + "…" : part) + "”";
    }
    var when = c.date ? K.day(c.date) : c.when;
    return when ? text + " · " + when : text;
  }
  // Over time: a superseded stance before the one replacing it, then by date, then as the data lists them.
  function inTime(cells) {
    return cells.slice().sort(function (a, b) {
      if (a.supersededBy.indexOf(b.stance) >= 0) return -1;
      if (b.supersededBy.indexOf(a.stance) >= 0) return 1;
      return (a.rank - b.rank) || ((a.date || "9999") < (b.date || "9999") ? -1 : (a.date || "9999") > (b.date || "9999") ? 1 : 0);
    });
  }

  // ---------------------------------------------------------------- the matrix and the cards
  function draw() {
    var rows = P.rows.filter(on);
    var cells = P.cells.filter(function (c) { return on(c) && rowsById.has(c.proposal) && on(rowsById.get(c.proposal)); });
    var actors = P.actors.map(function (a) { return a[0]; }).filter(function (a) {
      return cells.some(function (c) { return c.actor === a; });
    });
    var box = $("tracker");
    K.clear(box);
    var table = el("table", null, "matrix"), head = el("tr");
    head.appendChild(el("th", "Proposal or concession"));
    actors.forEach(function (a) { head.appendChild(el("th", name(a))); });
    var thead = el("thead");
    thead.appendChild(head);
    table.appendChild(thead);
    var body = el("tbody");
    rows.forEach(function (r) {
      var tr = el("tr"), th = el("th");
      th.appendChild(K.button(r.label, function () { select(r.id); }, "link"));
      tr.appendChild(th);
      actors.forEach(function (a) {
        var td = el("td");
        td.setAttribute("data-proposal", r.id);
        td.setAttribute("data-actor", a);
        inTime(cells.filter(function (c) { return c.proposal === r.id && c.actor === a; })).forEach(function (c) {
          var b = K.button(chipText(c), function () { select(c.id); },
            "stance " + (c.polarity || c.type) + (c.supersededBy.length ? " superseded" : ""));
          b.setAttribute("data-cell", c.id);
          if (c.stance) b.setAttribute("data-stance", c.stance);
          if (c.supersededBy.length) b.title = "superseded by a later stance";
          td.appendChild(b);
        });
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    table.appendChild(body);
    box.appendChild(table);
    box.appendChild(el("p", "Green: supports; red: opposes; orange: supports on a condition; purple: proposed or raised " +
      "it (with the strength the article gives: demanded, suggested, …); struck through: superseded by a later stance.", "hint"));
    var cards = el("div", null, "cards");
    rows.forEach(function (r) { cards.appendChild(card(r, cells)); });
    box.appendChild(cards);
    var stances = cells.filter(function (c) { return c.type === "stance"; }).length;
    $("counts").textContent = rows.length + " proposals and concessions · " + stances + " stances · " + actors.length + " actors";
    if (window.kg.firstDraw === null) {
      window.kg.firstDraw = performance.now();
      document.body.setAttribute("data-drawn", "1");
    }
    if (state.selected && !(cellsById.has(state.selected) && on(cellsById.get(state.selected))) &&
        !(rowsById.has(state.selected) && on(rowsById.get(state.selected)))) state.selected = null;
    if (state.selected) select(state.selected); else { K.closePanel(); syncHash(); }
  }

  function list(items, cls) {
    var ul = el("ul", null, cls);
    items.forEach(function (item) { ul.appendChild(item instanceof Node ? wrap(item) : el("li", item)); });
    return ul;
  }
  function wrap(node) { var li = el("li"); li.appendChild(node); return li; }
  function card(r, cells) {
    var box = el("section", null, "proposal");
    box.setAttribute("data-row", r.id);
    var h = el("h3");
    h.appendChild(K.button(r.label, function () { select(r.id); }, "link"));
    box.appendChild(h);
    facts(r).forEach(function (f) {
      if (!f[1] || (Array.isArray(f[1]) && !f[1].length)) return;
      box.appendChild(el("h4", f[0]));
      box.appendChild(Array.isArray(f[1]) ? list(f[1]) : el("p", f[1]));
    });
    var mine = inTime(cells.filter(function (c) { return c.proposal === r.id && c.type === "stance"; }));
    if (mine.length) {
      box.appendChild(el("h4", "Stances over time"));
      var ol = el("ol");
      mine.forEach(function (c) {
        var li = el("li");
        li.appendChild(K.button(name(c.actor) + " " + chipText(c), function () { select(c.id); },
          "stance " + c.polarity + (c.supersededBy.length ? " superseded" : "")));
        ol.appendChild(li);
      });
      box.appendChild(ol);
    }
    return box;
  }
  function facts(r) {
    var proposers = r.proposedBy.map(name).join(", ");
    return [
      [r.kind === "concession" ? "Raised by" : "Proposed by", r.kind === "concession"
        ? r.raisedBy.map(function (x) { return name(x[0]) + " (" + x[1] + ")"; }).join(", ") : proposers],
      ["Put forward in", r.acts.map(function (a) { return P.labels[a] || a; })],
      ["Would concede", r.conceding.map(name).join(", ")],
      ["For the benefit of", r.beneficiary.map(name).join(", ")],
      ["Provisions", r.provisions.map(function (p) {
        var extra = [];
        if (p.concerns.length) extra.push("concerns " + p.concerns.map(function (i) { return P.labels[i] || i; }).join(", "));
        if (p.meets.length) extra.push("meets " + p.meets.map(function (i) { return P.labels[i] || i; }).join(", "));
        return P.labels[p.id] + (extra.length ? " (" + extra.join("; ") + ")" : "");
      })],
      ["Concerns", r.concerns.map(function (i) { return P.labels[i] || i; }).join(", ")]
    ];
  }

  // ---------------------------------------------------------------- the panel
  function select(id) {
    state.selected = id;
    document.querySelectorAll(".stance.current").forEach(function (b) { b.classList.remove("current"); });
    var close = function () { state.selected = null; syncHash(); };
    if (rowsById.has(id)) {
      var r = rowsById.get(id);
      K.openPanel(r.kind, r.label, facts(r).map(function (f) { return [f[0], Array.isArray(f[1]) ? f[1].join("; ") : f[1]]; })
        .concat([["Layer", r.layers.join(", ")], ["IRI", r.id]]), close);
      K.showEvidence(r.quotes, r.spans);
    } else if (cellsById.has(id)) {
      var c = cellsById.get(id);
      document.querySelectorAll("[data-cell]").forEach(function (b) { if (b.getAttribute("data-cell") === id) b.classList.add("current"); });
      var title = name(c.actor) + " " + chipText(c).split(" · ")[0] + ": " + P.labels[c.proposal];
      K.openPanel(c.type === "stance" ? "Stance" : c.type === "raised" ? "Concession raised"
        : c.type === "act" ? "Hedged answer (no stance)" : "Proposer", title, [
        ["Actor", name(c.actor)],
        [c.type === "stance" ? "Stance" : "What", c.type === "raised" ? "raised it: " + c.modality
          : c.modality || WORDS[c.polarity || c.type]],
        ["On", P.labels[c.target] + (c.target !== c.proposal ? " (a provision of " + P.labels[c.proposal] + ")" : "")],
        ["Condition", c.condition],
        ["Modality", c.hedge || ""],
        ["Expressed in", c.act ? P.labels[c.act] || c.act : ""],
        ["Date", c.date ? K.day(c.date) + " (" + K.layerText({ layer: c.dateLayer, source: c.dateSource }) + ")" : ""],
        ["In the article's words", c.when],
        ["Superseded by", c.supersededBy.map(function (s) { return P.labels[s] || s; }).join("; ")],
        ["Supersedes", c.supersedes.map(function (s) { return P.labels[s] || s; }).join("; ")],
        ["Layer", c.layers.join(", ")],
        ["IRI", c.stance || c.proposal]
      ], close);
      K.showEvidence(c.quotes, c.spans);
    }
    syncHash();
  }

  // ---------------------------------------------------------------- controls and deep links
  function syncHash() {
    var layers = LAYERS.filter(function (l) { return state.layers.has(l); }).join(",");
    K.writeHash({ sel: state.selected, layers: layers === data.page.layersOn.join(",") ? null : layers, src: K.sourcesState() });
  }
  K.layerFilter(LAYERS, state.layers, draw);
  K.sourceFilter(draw);
  $("copy-view").addEventListener("click", function () { K.copyLink($("copy-status")); });
  $("export-csv").addEventListener("click", function () {
    var rows = [["proposal", "proposal label", "actor", "actor label", "kind", "stance or strength", "hedge", "on", "condition",
      "date", "date layer", "in the article's words", "superseded by", "stance", "quote"]];
    P.cells.filter(on).forEach(function (c) {
      rows.push([c.proposal, P.labels[c.proposal], c.actor, name(c.actor), c.type, c.polarity || c.modality || "", c.hedge || "",
        c.target, c.condition, c.date, c.dateLayer, c.when, c.supersededBy.join(" "), c.stance, c.quotes.join(" | ")]);
    });
    K.downloadCsv("proposals.csv", rows);
  });
  var hash = K.readHash();
  K.setLayers(state.layers, hash.layers, LAYERS);
  K.restoreSources(hash.src);
  state.selected = hash.sel || null;
  draw();
})();
