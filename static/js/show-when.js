// Fields that apply only to some answers: an element with data-shown-by="<radio name>" and
// data-shown-for="<value> <value>…" is hidden unless one of those values is chosen in its form.
// Without this script every field shows, and the server ignores what does not apply.
(function () {
  "use strict";

  function update(form) {
    form.querySelectorAll("[data-shown-by]").forEach(function (field) {
      var chosen = form.querySelector(
        'input[name="' + field.dataset.shownBy + '"]:checked'
      );
      var values = field.dataset.shownFor.split(" ");
      field.hidden = !chosen || values.indexOf(chosen.value) === -1;
    });
  }

  function updateAll() {
    document.querySelectorAll("form").forEach(function (form) {
      if (form.querySelector("[data-shown-by]")) update(form);
    });
  }

  document.addEventListener("change", function (event) {
    var form = event.target.form;
    if (form && form.querySelector("[data-shown-by]")) update(form);
  });
  // The check-in form arrives by htmx on the board.
  document.addEventListener("htmx:afterSettle", updateAll);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", updateAll);
  } else {
    updateAll();
  }
})();
