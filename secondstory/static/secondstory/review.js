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
