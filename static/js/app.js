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

// A chart wider than the screen shows the "scroll sideways" hint (charts are always focusable and
// named by their template). A table wider than the screen is made reachable by keyboard and named.
(function () {
  function nameOf(box) {
    var title = box.querySelector("caption");
    var heading = box.closest("section") && box.closest("section").querySelector("h2, h3");
    return ((title || heading || {}).textContent || "Table").trim();
  }
  function mark() {
    document.querySelectorAll(".chart-figure").forEach(function (box) {
      box.classList.toggle("chart-scrolls", box.scrollWidth > box.clientWidth + 1);
    });
    document.querySelectorAll(".table-scroll").forEach(function (box) {
      var scrolls = box.scrollWidth > box.clientWidth + 1;
      if (scrolls) {
        box.tabIndex = 0;
        box.setAttribute("role", "region");
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
  window.addEventListener("load", mark);
  window.addEventListener("resize", mark);
})();

// A search box inside a filter form only finds choices: its change (on leaving it) must not
// reach the form, whose change applies the filters.
document.addEventListener("change", function (event) {
  if (event.target.matches && event.target.matches("[data-search-only]")) { event.stopPropagation(); }
}, true);
