// Reset Area board: running times tick between the board's own refreshes, and the register's
// print button. Loaded as a file (no inline scripts) so the strict CSP holds.
(function () {
  function tick() {
    var now = Date.now() / 1000;
    document.querySelectorAll("[data-since]").forEach(function (el) {
      var minutes = Math.max(0, Math.floor((now - Number(el.dataset.since)) / 60));
      el.textContent = minutes + " min";
      var box = el.closest(".running");
      if (box) { box.classList.toggle("long", minutes >= 60); }
    });
  }
  setInterval(tick, 20000);
  document.addEventListener("htmx:afterSwap", tick);

  // A refresh after the session ended would put the sign-in page inside the board: reload instead.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var url = (event.detail.xhr && event.detail.xhr.responseURL) || "";
    if (url.indexOf("/accounts/login/") !== -1) {
      event.detail.shouldSwap = false;
      window.location.reload();
    }
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) { window.print(); }
  });
})();
