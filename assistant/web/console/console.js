/* Support console: clause search for labelling, and confirmation before deleting.
 * Server text is inserted with textContent only; requests carry the session's CSRF token. */
(function () {
  "use strict";

  var token = document.querySelector("meta[name='csrf-token']");

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      node.setAttribute(name, attrs[name]);
    });
    if (text) node.textContent = text;
    return node;
  }

  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
    });
  });

  var verdict = document.getElementById("expected_verdict");
  var doesntSay = document.getElementById("doesnt_say");
  if (verdict && doesntSay) {
    doesntSay.addEventListener("change", function () {
      if (doesntSay.checked) verdict.value = "unknown";
      verdict.disabled = doesntSay.checked;
    });
  }

  var search = document.querySelector(".search[data-search-url]");
  if (!search) return;
  var input = document.getElementById("clause-search");
  var button = document.getElementById("clause-search-button");
  var results = document.getElementById("clause-results");
  var picked = document.getElementById("picked");
  var counter = 0;

  function pick(clause) {
    var existing = picked.querySelector("input[value='" + CSS.escape(clause.clause_id) + "']");
    if (existing) {
      existing.checked = true;
      return;
    }
    counter += 1;
    var id = "found-" + counter;
    var box = el("input", { type: "checkbox", name: "clause_id", value: clause.clause_id, id: id });
    box.checked = true;
    var item = el("li");
    item.appendChild(box);
    item.appendChild(document.createTextNode(" "));
    item.appendChild(el("label", { for: id }, clause.text));
    picked.appendChild(item);
  }

  function run() {
    var query = input.value.trim();
    results.textContent = "";
    if (!query) return;
    var headers = { Accept: "application/json" };
    if (token) headers["X-CSRF-Token"] = token.getAttribute("content");
    fetch(search.getAttribute("data-search-url") + "?q=" + encodeURIComponent(query), {
      headers: headers,
      credentials: "same-origin",
    })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (data) {
        if (!data.clauses.length) results.appendChild(el("li", {}, "No clause matches."));
        data.clauses.forEach(function (clause) {
          var item = el("li", { class: "result" });
          item.appendChild(el("p", { class: "muted" }, clause.section + " · " + clause.stance));
          item.appendChild(el("p", {}, clause.text));
          var add = el("button", { type: "button", class: "pick" }, "Use this clause");
          add.addEventListener("click", function () {
            pick(clause);
            add.textContent = "Added";
          });
          item.appendChild(add);
          results.appendChild(item);
        });
      })
      .catch(function () {
        results.appendChild(el("li", {}, "The search failed. Try again."));
      });
  }

  button.addEventListener("click", run);
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter") {
      event.preventDefault();
      run();
    }
  });
})();
