// Blameless review in the section editor: "Apply" replaces the flagged words in the
// textarea with the suggested draft, then lets htmx review the text again.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest(".review-apply") : null;
    if (!button) return;
    var area = document.getElementById(button.dataset.textarea);
    if (!area) return;
    var flagged = button.dataset.flagged || "";
    var draft = button.dataset.draft || "";
    var value = area.value.replace(/\r\n?/g, "\n");
    var start = parseInt(button.dataset.start, 10);
    if (value.slice(start, start + flagged.length) !== flagged) {
      start = value.indexOf(flagged);
      if (start < 0) return;
    }
    var end = start + flagged.length;
    if (draft === "") {
      // Leaving a word out: take one neighbouring space with it.
      if (value.charAt(end) === " ") end += 1;
      else if (start > 0 && value.charAt(start - 1) === " ") start -= 1;
    }
    var rest = value.slice(end);
    if (draft === "" && /(^|[.!?]\s+|\n\s*(?:[-*]\s+)?)$/.test(value.slice(0, start))) {
      // The left-out word began a sentence: the next word does now.
      rest = rest.charAt(0).toUpperCase() + rest.slice(1);
    }
    area.value = value.slice(0, start) + draft + rest;
    area.focus();
    area.setSelectionRange(start + draft.length, start + draft.length);
    area.dispatchEvent(new Event("input", { bubbles: true }));
    button.disabled = true;
  });
})();

// Comments on a passage: select words in a section and "Comment on this passage" fills the
// comment form with the section, the words and a little context around them. Without
// JavaScript the same form takes the section and the words pasted in.
(function () {
  "use strict";
  var CONTEXT = 32;
  var button = null;
  var chosen = null;

  function sectionOf(node) {
    var element = node && (node.nodeType === 1 ? node : node.parentElement);
    var prose = element && element.closest ? element.closest(".narrative > .prose") : null;
    return prose ? prose.parentElement : null;
  }

  function hide() {
    if (button) button.hidden = true;
  }

  function form() {
    return document.getElementById("comment-form");
  }

  function fill(field, quote, prefix, suffix) {
    var target = form();
    if (!target) return;
    target.elements.section.value = field;
    if (quote !== null) {
      target.elements.quote.value = quote;
      target.elements.prefix.value = prefix;
      target.elements.suffix.value = suffix;
    }
    target.scrollIntoView({ block: "center" });
    (quote !== null ? target.elements.body : target.elements.quote).focus();
  }

  function show(section, selection) {
    if (!form()) return hide();
    if (!button) {
      button = document.createElement("button");
      button.type = "button";
      button.className = "button secondary passage-comment-button";
      button.textContent = "Comment on this passage";
      document.body.appendChild(button);
      button.addEventListener("mousedown", function (event) { event.preventDefault(); });
      button.addEventListener("click", function () {
        hide();
        fill(chosen.field, chosen.quote, chosen.prefix, chosen.suffix);
      });
    }
    var range = selection.getRangeAt(0);
    var box = range.getBoundingClientRect();
    button.style.position = "absolute";
    button.style.top = (window.scrollY + box.bottom + 6) + "px";
    button.style.left = (window.scrollX + box.left) + "px";
    button.hidden = false;
    var prose = section.querySelector(".prose");
    var before = document.createRange();
    before.setStart(prose, 0);
    before.setEnd(range.startContainer, range.startOffset);
    var after = document.createRange();
    after.setStart(range.endContainer, range.endOffset);
    after.setEnd(prose, prose.childNodes.length);
    chosen = {
      field: section.id.replace(/^section-/, ""),
      quote: selection.toString(),
      prefix: before.toString().slice(-CONTEXT),
      suffix: after.toString().slice(0, CONTEXT)
    };
  }

  document.addEventListener("selectionchange", function () {
    var selection = window.getSelection();
    if (!selection || selection.isCollapsed || !selection.toString().trim()) return hide();
    var section = sectionOf(selection.anchorNode);
    if (!section || section !== sectionOf(selection.focusNode)) return hide();
    show(section, selection);
  });

  // "Comment on a passage" beside a section: the form, with that section chosen.
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a.comment-on-passage") : null;
    if (!link || !form()) return;
    event.preventDefault();
    fill(link.dataset.section, null, "", "");
  });
})();
