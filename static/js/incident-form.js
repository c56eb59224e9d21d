// The incident log form (templates/incidents/log/form.html). Loaded as a file: no inline script.
// The form works without it; this only adds the restraint's duration, a retry of the autosave when
// the connection comes back, and focus on the error summary.
(function () {
  function minutesBetween(start, end) {
    if (!start || !end) { return null; }
    var a = start.split(":"), b = end.split(":");
    return (parseInt(b[0], 10) * 60 + parseInt(b[1], 10)) - (parseInt(a[0], 10) * 60 + parseInt(a[1], 10));
  }

  function showDuration() {
    var start = document.getElementById("id_rpi-started_time");
    var end = document.getElementById("id_rpi-ended_time");
    var out = document.getElementById("rpi-duration");
    if (!start || !end || !out) { return; }
    var minutes = minutesBetween(start.value, end.value);
    if (minutes === null) { out.textContent = ""; }
    else if (minutes <= 0) { out.textContent = "The end time must be after the start time."; }
    else { out.textContent = "Duration: " + minutes + " minute" + (minutes === 1 ? "" : "s") + "."; }
  }

  document.addEventListener("input", function (event) {
    if (event.target.id === "id_rpi-started_time" || event.target.id === "id_rpi-ended_time") {
      showDuration();
    }
  });

  // Autosave: say so when a save could not reach the server, and try again once back online.
  document.addEventListener("htmx:sendError", function (event) {
    var status = document.getElementById("autosave-status");
    if (status && event.detail.elt === status) {
      status.textContent = "Not saved: no connection. It will save when you are back online.";
    }
  });
  window.addEventListener("online", function () {
    var status = document.getElementById("autosave-status");
    if (status && window.htmx) { window.htmx.trigger(status, "retry"); }
  });

  document.addEventListener("DOMContentLoaded", function () {
    showDuration();
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }
  });
})();
