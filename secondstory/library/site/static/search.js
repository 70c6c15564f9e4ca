/* Client-side search over assets/search-index.js: words, "quoted phrases" and -exclusions.
 * No dependencies and no requests: the index is a plain script, so search works from
 * file:// as well as from any static host. Results are built with DOM calls only. */
(function (root) {
  "use strict";

  var FIELDS = [
    ["title", 8],
    ["summary", 4],
    ["services", 3],
    ["tags", 3],
    ["factors", 3],
    ["teams", 2],
    ["key", 2],
    ["text", 1]
  ];

  function fold(value) {
    var text = Array.isArray(value) ? value.join(" ") : String(value || "");
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function compare(a, b) {
    return a < b ? -1 : a > b ? 1 : 0;
  }

  function parseQuery(query) {
    var terms = [];
    var excluded = [];
    var pattern = /(-?)"([^"]*)"|(-?)(\S+)/g;
    var match;
    while ((match = pattern.exec(String(query || ""))) !== null) {
      var negative = match[2] !== undefined ? match[1] === "-" : match[3] === "-";
      var word = fold(match[2] !== undefined ? match[2] : match[4]).trim();
      if (!word || word === "-") { continue; }
      (negative ? excluded : terms).push(word);
    }
    return { terms: terms, excluded: excluded };
  }

  function search(index, query, limit) {
    var parsed = parseQuery(query);
    if (parsed.terms.length === 0) { return []; }
    var found = [];
    index.forEach(function (entry) {
      var folded = FIELDS.map(function (pair) { return [fold(entry[pair[0]]), pair[1]]; });
      var all = folded.map(function (pair) { return pair[0]; }).join(" \u0000 ");
      var i;
      for (i = 0; i < parsed.excluded.length; i += 1) {
        if (all.indexOf(parsed.excluded[i]) !== -1) { return; }
      }
      var score = 0;
      for (i = 0; i < parsed.terms.length; i += 1) {
        var term = parsed.terms[i];
        var hit = 0;
        folded.forEach(function (pair) {
          if (pair[0].indexOf(term) !== -1) { hit += pair[1]; }
        });
        if (hit === 0) { return; }
        score += hit;
      }
      found.push({ entry: entry, score: score });
    });
    found.sort(function (a, b) {
      return b.score - a.score || compare(b.entry.date, a.entry.date) || compare(a.entry.key, b.entry.key);
    });
    return found.slice(0, limit || 50).map(function (item) { return item.entry; });
  }

  function excerpt(entry, terms) {
    var text = entry.summary || entry.text || "";
    var lower = fold(entry.text || "");
    for (var i = 0; i < terms.length; i += 1) {
      var at = lower.indexOf(terms[i]);
      if (at !== -1 && fold(text).indexOf(terms[i]) === -1) {
        var start = Math.max(0, at - 80);
        return (start > 0 ? "… " : "") + entry.text.slice(start, at + 160) + " …";
      }
    }
    return text;
  }

  function render(document, index) {
    var params = new URLSearchParams(root.location.search);
    var query = params.get("q") || "";
    var input = document.getElementById("q");
    var status = document.getElementById("search-status");
    var list = document.getElementById("search-results");
    if (!input || !status || !list) { return; }
    input.value = query;
    if (!query.trim()) {
      status.textContent = "Type words to search every published postmortem.";
      return;
    }
    var results = search(index, query, 100);
    var terms = parseQuery(query).terms;
    status.textContent = results.length + (results.length === 1 ? " postmortem matches " : " postmortems match ") + "\u201c" + query + "\u201d.";
    results.forEach(function (entry) {
      var item = document.createElement("li");
      item.className = "pm-row";
      var link = document.createElement("a");
      link.className = "pm-title";
      link.href = entry.url;
      link.textContent = entry.key + ": " + entry.title;
      item.appendChild(link);
      var meta = document.createElement("span");
      meta.className = "pm-meta";
      meta.textContent = [entry.date, entry.severity].concat(entry.services.slice(0, entry.services.length / 2)).filter(Boolean).join(" · ");
      item.appendChild(meta);
      var text = document.createElement("p");
      text.className = "pm-summary";
      text.textContent = excerpt(entry, terms);
      item.appendChild(text);
      list.appendChild(item);
    });
  }

  if (typeof module !== "undefined" && module.exports) {
    module.exports = { search: search, parseQuery: parseQuery };
  } else if (root.document) {
    root.document.addEventListener("DOMContentLoaded", function () {
      render(root.document, root.SECONDSTORY_INDEX || []);
    });
  }
})(typeof window !== "undefined" ? window : this);
