/* Long timelines and sharing. Loaded as a static file (no inline script); every flow also
   works without it.
   - An #event-<id> link whose event is not in the window on the page opens the window that
     starts with it (?event=<id>), the way links made by the server already do.
   - "Copy as HTML" puts the document's clean HTML on the clipboard. */
(function () {
  "use strict";
  if (window.secondstoryTimeline) return; // a swapped-in fragment may load it again
  window.secondstoryTimeline = true;

  function reachEvent() {
    var match = /^#event-(\d+)$/.exec(window.location.hash);
    if (!match || document.getElementById("event-" + match[1])) return;
    if (!document.getElementById("timeline")) return;
    var params = new URLSearchParams(window.location.search);
    if (params.get("event") === match[1]) return; // asked already: the server said why not
    params.set("event", match[1]);
    window.location.replace(window.location.pathname + "?" + params.toString() + match[0]);
  }

  function copyHtml(button) {
    var source = document.getElementById(button.dataset.copySource);
    if (!source) return;
    var html = source.value !== undefined ? source.value : source.innerHTML;
    var status = button.parentElement.querySelector(".copy-status");
    function say(text) { if (status) status.textContent = text; }
    if (navigator.clipboard && window.ClipboardItem) {
      var item = new ClipboardItem({
        "text/html": new Blob([html], { type: "text/html" }),
        "text/plain": new Blob([source.dataset.plain || html], { type: "text/plain" }),
      });
      navigator.clipboard.write([item]).then(
        function () { say("Copied: paste it into your wiki."); },
        function () { say("The browser refused the clipboard: select the HTML below and copy it."); }
      );
    } else {
      say("This browser cannot copy rich text: select the HTML below and copy it.");
    }
  }

  document.addEventListener("focusin", function (event) {
    var list = event.target.list;
    if (!list || !list.dataset.src || list.dataset.loading) return;
    list.dataset.loading = "true";
    fetch(list.dataset.src, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) {
        var parsed = new DOMParser().parseFromString(html, "text/html").querySelector("datalist");
        if (parsed) list.replaceChildren.apply(list, Array.from(parsed.children));
        delete list.dataset.src;
      });
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button[data-copy-source]") : null;
    if (!button) return;
    event.preventDefault();
    copyHtml(button);
  });
  // After "Jump to" (htmx), bring the event jumped to into view.
  document.body.addEventListener("htmx:afterSwap", function (event) {
    var asked = event.detail && event.detail.elt;
    if (!asked || !asked.matches || !asked.matches("form.timeline-filter")) return;
    var target = document.querySelector("#timeline .jumped-to");
    if (target && target.scrollIntoView) target.scrollIntoView({ block: "center" });
  });
  window.addEventListener("hashchange", reachEvent);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", reachEvent);
  } else {
    reachEvent();
  }
})();
