// The incident log form (templates/incidents/log/form.html) and the Reset Area's seclusion record
// (templates/reset_area/visits/check_out.html, seclusion_form.html). Loaded as a file: no inline
// script. The forms work without it; this only adds the restrictive intervention's duration, fills
// in what the record would otherwise ask again, retries the autosave when the connection comes
// back, and focuses the error summary.
(function () {
  function minutesBetween(start, end) {
    if (!start || !end) { return null; }
    var a = start.split(":"), b = end.split(":");
    return (parseInt(b[0], 10) * 60 + parseInt(b[1], 10)) - (parseInt(a[0], 10) * 60 + parseInt(a[1], 10));
  }

  // Each record's duration line is "<prefix>-duration", next to "id_<prefix>-started_time".
  function showDurations() {
    document.querySelectorAll(".restrictive-duration").forEach(function (out) {
      var prefix = out.id.replace(/-duration$/, "");
      var start = document.getElementById("id_" + prefix + "-started_time");
      var end = document.getElementById("id_" + prefix + "-ended_time");
      if (!start || !end) { return; }
      var minutes = minutesBetween(start.value, end.value);
      if (minutes === null) { out.textContent = ""; }
      else if (minutes <= 0) { out.textContent = "The end time must be after the start time."; }
      else { out.textContent = "Duration: " + minutes + " minute" + (minutes === 1 ? "" : "s") + "."; }
    });
  }

  // What the record does not ask again. Until the person changes them, the restraint record's
  // start time, "what happened before", "de-escalation tried" and staff follow the incident above,
  // and the seclusion record's "de-escalation tried" the strategies ticked at check-out (left
  // blank, the server takes the same words: this only shows them).
  function textOf(id) {
    var field = document.getElementById(id);
    return field ? field.value.trim() : "";
  }

  function tickedLabels(name) {
    var labels = [];
    document.querySelectorAll('input[name="' + name + '"]:checked').forEach(function (box) {
      var label = box.closest("label");
      if (label) { labels.push(label.textContent.trim()); }
    });
    return labels.join("; ");
  }

  function timeOf(id) {
    var parts = textOf(id).split("T");
    return parts.length === 2 ? parts[1].slice(0, 5) : "";
  }

  var CARRIED = [
    { to: "id_rpi-started_time", from: function () { return timeOf("id_occurred_at"); } },
    { to: "id_rpi-what_happened_before", from: function () { return textOf("id_antecedent"); } },
    { to: "id_rpi-deescalation_tried", from: function () { return tickedLabels("strategies"); } },
    // At check-out: the strategies that helped, ticked above the seclusion record.
    { to: "id_seclusion-deescalation_tried", from: function () { return tickedLabels("strategies"); } },
  ];
  var staffFollows = true;

  function ticks(name) {
    return Array.prototype.map.call(
      document.querySelectorAll('input[name="' + name + '"]:checked'),
      function (box) { return box.value; }
    ).sort().join(",");
  }

  function carry() {
    CARRIED.forEach(function (carried) {
      var field = document.getElementById(carried.to);
      if (!field || field.dataset.edited) { return; }
      field.value = carried.from();
      field.dataset.carried = field.value;
    });
    if (staffFollows) {
      document.querySelectorAll('input[name="staff_involved"]').forEach(function (box) {
        var twin = document.querySelector('input[name="rpi-staff_involved"][value="' + box.value + '"]');
        if (twin) { twin.checked = box.checked; }
      });
    }
  }

  function startCarrying() {
    CARRIED.forEach(function (carried) {
      var field = document.getElementById(carried.to);
      // Typed into a draft or a refused submit: follow only if it still says what was carried.
      if (field && field.value.trim() && field.value.trim() !== carried.from()) {
        field.dataset.edited = "yes";
      }
    });
    staffFollows = ticks("rpi-staff_involved") === ticks("staff_involved");
    carry();
  }

  function noticeEdits(event) {
    var target = event.target;
    CARRIED.forEach(function (carried) {
      if (target.id === carried.to && target.value !== target.dataset.carried) {
        target.dataset.edited = "yes";  // theirs from now on, even if they clear it
      }
    });
    if (target.name === "rpi-staff_involved") { staffFollows = false; }
  }

  document.addEventListener("input", function (event) {
    noticeEdits(event);
    if (/-(started|ended)_time$/.test(event.target.id)) { showDurations(); }
    carry();
  });
  document.addEventListener("change", function (event) {
    noticeEdits(event);
    carry();
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
    showDurations();
    startCarrying();
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }
  });
})();
