// Similar ideas while a title is typed: half a second after the last key, ask the board's
// API for ideas sharing any of its words and list them (links), so a duplicate is voted
// for instead of posted. Without this script the form works as before.
(function () {
  "use strict";
  var WAIT_MS = 500;
  var MIN_CHARS = 3;

  function statusLabel(status) {  // "under_review" -> "Under review"
    var words = status.replace(/_/g, " ");
    return words.charAt(0).toUpperCase() + words.slice(1);
  }

  function start(section) {
    var input = document.getElementById(section.dataset.similarFor);
    var list = section.querySelector("ul");
    var timer = null;
    var asked = "";
    if (!input || !window.fetch) return;

    function show(ideas) {
      list.replaceChildren();
      ideas.forEach(function (idea) {
        var item = document.createElement("li");
        var link = document.createElement("a");
        link.href = idea.url;
        link.textContent = idea.title;
        item.append(link, " (" + idea.votes + (idea.votes === 1 ? " vote" : " votes") +
                    ", " + statusLabel(idea.status) + ")");
        list.append(item);
      });
      section.hidden = ideas.length === 0;
    }

    function ask() {
      var title = input.value.trim();
      if (title === asked) return;
      asked = title;
      if (title.length < MIN_CHARS) { show([]); return; }
      fetch(section.dataset.similarUrl + "&q=" + encodeURIComponent(title), {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      })
        .then(function (response) { return response.ok ? response.json() : { ideas: [] }; })
        .then(function (data) { if (title === asked) show(data.ideas); })
        .catch(function () { /* no suggestions is fine: the form still posts */ });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, WAIT_MS);
    });
  }

  document.querySelectorAll("[data-similar-for]").forEach(start);
})();
