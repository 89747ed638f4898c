// Votes in place: the form still works without this script (POST, then redirect back).
(function () {
  "use strict";
  var token = document.querySelector('meta[name="csrf-token"]');

  function render(form, voted, count) {
    var button = form.querySelector("button");
    button.setAttribute("aria-pressed", voted ? "true" : "false");
    var shown = form.querySelector("[data-vote-count]");
    if (shown && count !== null) shown.textContent = String(count);
    form.querySelector('input[name="intent"]').value = voted ? "unvote" : "vote";
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("[data-vote-form]") || !window.fetch) return;
    event.preventDefault();
    var button = form.querySelector("button");
    if (button.disabled) return;
    button.disabled = true;
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json", "X-CSRFToken": token ? token.content : "" },
      credentials: "same-origin",
    })
      .then(function (response) {
        if (!response.ok) throw new Error("vote failed: " + response.status);
        return response.json();
      })
      .then(function (data) { render(form, data.voted, data.vote_count); })
      .catch(function () { form.submit(); })
      .finally(function () { button.disabled = false; });
  });
})();
