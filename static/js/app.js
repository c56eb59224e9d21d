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

// A chart wider than the screen scrolls sideways: make it reachable by keyboard and say so.
(function () {
  function mark() {
    document.querySelectorAll(".chart-figure, .chart-box").forEach(function (box) {
      var svg = box.querySelector("svg.chart");
      if (!svg) { return; }
      var scrolls = box.scrollWidth > box.clientWidth + 1;
      box.classList.toggle("chart-scrolls", scrolls);
      if (scrolls) {
        box.tabIndex = 0;
        if (box.tagName !== "FIGURE") { box.setAttribute("role", "region"); }
        box.setAttribute("aria-label", (svg.querySelector("title") || {}).textContent + " (scrolls sideways)");
      } else if (box.hasAttribute("aria-label")) {
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
