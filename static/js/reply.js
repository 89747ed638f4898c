// "Reply" opens a form under the comment's thread, a copy of the form at the end of the
// page. Without this script the link loads the page with that form already in place.
(function () {
  "use strict";
  var main = document.getElementById("comment-form");
  if (!main) return;

  function replyForm(topId) {
    var form = main.cloneNode(true);
    var prefix = "reply-" + topId + "-";
    form.id = "reply-" + topId;
    form.action = form.action.split("#")[0] + "#" + form.id;
    form.querySelectorAll(".form-errors, .field-error").forEach(function (node) { node.remove(); });
    form.querySelectorAll("[id]").forEach(function (node) { node.id = prefix + node.id; });
    form.querySelectorAll("label[for]").forEach(function (node) {
      node.htmlFor = prefix + node.htmlFor;
    });
    form.querySelectorAll("[aria-describedby]").forEach(function (node) {
      var ids = node.getAttribute("aria-describedby").split(" ").filter(function (id) {
        return !/-error$/.test(id);
      });
      node.setAttribute("aria-describedby", ids.map(function (id) { return prefix + id; }).join(" "));
    });
    form.querySelectorAll("[aria-invalid]").forEach(function (node) { node.removeAttribute("aria-invalid"); });
    form.querySelectorAll("textarea").forEach(function (node) { node.value = ""; });
    form.querySelector('input[name="reply_to"]').value = topId;
    var heading = document.createElement("h3");
    heading.className = "reply-heading";
    heading.textContent = "Your reply";
    form.insertBefore(heading, form.firstChild);
    return form;
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest("a.reply-link");
    if (!link) return;
    var topId = link.dataset.replyTo;
    var thread = document.getElementById("comment-" + topId);
    if (!thread) return;
    event.preventDefault();
    var form = document.getElementById("reply-" + topId);
    if (!form) {
      form = replyForm(topId);
      thread.appendChild(form);
    }
    form.querySelector("textarea").focus();
  });
})();
