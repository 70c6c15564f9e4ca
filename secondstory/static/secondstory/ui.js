// Small behaviours of the page frame; every page works without them.
// 1. The main navigation folds behind a "Menu" button on narrow screens. Without JavaScript
//    the button stays hidden and every link shows; Escape closes the open menu.
// 2. A table that scrolls inside its own box becomes reachable by keyboard (arrow keys
//    scroll it), named after its caption, whenever it is wider or taller than its box.
(function () {
  "use strict";

  function setUpNavigation() {
    var toggle = document.querySelector(".nav-toggle");
    var nav = document.getElementById("site-nav");
    if (!toggle || !nav) return;
    document.documentElement.classList.add("nav-folds");
    toggle.hidden = false;
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && toggle.getAttribute("aria-expanded") === "true") {
        toggle.setAttribute("aria-expanded", "false");
        toggle.focus();
      }
    });
  }

  function markScrollBoxes() {
    var boxes = document.querySelectorAll(".table-scroll, main table");
    Array.prototype.forEach.call(boxes, function (box) {
      var scrolls = box.scrollWidth > box.clientWidth + 1 || box.scrollHeight > box.clientHeight + 1;
      var named = box.hasAttribute("aria-label") || box.hasAttribute("aria-labelledby");
      if (scrolls && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("data-scroll-box", "");
        if (box.tagName !== "TABLE" && !box.hasAttribute("role")) {
          box.setAttribute("role", "region");
          box.setAttribute("data-scroll-box", "region");
          if (!named) {
            var caption = box.querySelector("caption");
            box.setAttribute("aria-label", caption ? caption.textContent.trim() : "Table");
            box.setAttribute("data-scroll-box", "named region");
          }
        }
      } else if (!scrolls && box.hasAttribute("data-scroll-box")) {
        var added = box.getAttribute("data-scroll-box");
        box.removeAttribute("tabindex");
        if (added.indexOf("region") !== -1) box.removeAttribute("role");
        if (added === "named region") box.removeAttribute("aria-label");
        box.removeAttribute("data-scroll-box");
      }
    });
  }

  setUpNavigation();
  markScrollBoxes();
  window.addEventListener("resize", markScrollBoxes);
  document.body.addEventListener("htmx:afterSettle", markScrollBoxes);
})();
