/* The section editor: Ctrl/Cmd+Enter saves, Esc cancels, and the form says when it
   holds unsaved changes. Loaded as a static file (no inline script); every flow also
   works without it. */
(function () {
  "use strict";

  function editorOf(element) {
    return element && element.closest ? element.closest("form.section-editor") : null;
  }

  function showState(form, text, state) {
    var label = form.querySelector(".save-state");
    if (!label) return;
    label.textContent = text;
    label.className = "save-state " + state;
  }

  document.addEventListener("input", function (event) {
    var form = editorOf(event.target);
    if (!form || event.target.name === "base") return;
    form.dataset.dirty = "true";
    showState(form, "Unsaved changes", "dirty");
  });

  document.addEventListener("keydown", function (event) {
    var form = editorOf(event.target);
    if (!form) return;
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      var save = form.querySelector("button[type=submit]:not([name=preview])");
      if (form.requestSubmit) form.requestSubmit(save); else form.submit();
    } else if (event.key === "Escape") {
      var cancel = document.getElementById(form.dataset.cancel);
      if (!cancel) return;
      if (form.dataset.dirty === "true" && !window.confirm("Discard your unsaved changes?")) return;
      event.preventDefault();
      form.dataset.dirty = "false";
      cancel.click();
    }
  });

  document.addEventListener("submit", function (event) {
    var form = editorOf(event.target);
    if (!form) return;
    var submitter = event.submitter;
    if (submitter && submitter.name === "preview") return;
    form.dataset.dirty = "false";
    showState(form, "Saving…", "saving");
  });

  window.addEventListener("beforeunload", function (event) {
    if (document.querySelector('form.section-editor[data-dirty="true"]')) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  // Focus the textarea when an editor is swapped in (an outerHTML swap replaces the
  // target, so look the section up again by its id).
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail && event.detail.target;
    if (!target || !target.id || target.classList.contains("preview")) return;
    var section = document.getElementById(target.id);
    var textarea = section && section.querySelector("form.section-editor textarea");
    if (textarea) textarea.focus();
  });
})();
