// Site-wide behaviour. Loaded as a file (no inline scripts) so a strict CSP holds.

// "Hide screen": staff blank the screen at once when a pupil walks up. One tap on the button, or
// Escape pressed twice quickly. The page stays loaded underneath, so nothing typed is lost.
(function () {
  var root = document.documentElement;
  var lastEscape = 0;

  function hide() {
    root.classList.add("screen-hidden");
    var cover = document.getElementById("privacy-cover");
    if (cover) { cover.hidden = false; document.getElementById("privacy-return").focus(); }
  }

  function show() {
    root.classList.remove("screen-hidden");
    var cover = document.getElementById("privacy-cover");
    if (cover) { cover.hidden = true; }
    var button = document.getElementById("privacy-hide");
    if (button) { button.focus(); }
  }

  document.addEventListener("click", function (event) {
    if (event.target.closest("#privacy-hide")) { hide(); }
    else if (event.target.closest("#privacy-return")) { show(); }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || root.classList.contains("screen-hidden")) { return; }
    var now = Date.now();
    if (now - lastEscape < 600) { hide(); lastEscape = 0; } else { lastEscape = now; }
  });
})();

// A chart or table wider than the screen scrolls sideways: make it reachable by keyboard, name it
// and (for a chart) show the hint.
(function () {
  function nameOf(box) {
    var title = box.querySelector("svg.chart > title") || box.querySelector("caption");
    var heading = box.closest("section") && box.closest("section").querySelector("h2, h3");
    return ((title || heading || {}).textContent || "Table").trim();
  }
  function mark() {
    document.querySelectorAll(".chart-figure, .chart-box, .table-scroll").forEach(function (box) {
      var scrolls = box.scrollWidth > box.clientWidth + 1;
      if (box.querySelector("svg.chart")) { box.classList.toggle("chart-scrolls", scrolls); }
      if (scrolls) {
        box.tabIndex = 0;
        if (box.tagName !== "FIGURE") { box.setAttribute("role", "region"); }
        box.setAttribute("aria-label", nameOf(box) + " (scrolls sideways)");
        box.dataset.scrolls = "1";
      } else if (box.dataset.scrolls) {
        delete box.dataset.scrolls;
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    });
  }
  document.addEventListener("DOMContentLoaded", mark);
  document.addEventListener("htmx:afterSettle", mark);
  window.addEventListener("resize", mark);
})();
