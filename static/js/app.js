// Progressive enhancements only: every page works without this file.
(function () {
  "use strict";

  // Ask before destructive actions marked with data-confirm.
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var message = button && button.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });

  // Live filter for the sidebar organization switcher (the form still submits to /switch without it).
  var input = document.querySelector("[data-switcher-filter]");
  var list = document.querySelector("[data-switcher-list]");
  if (!input || !list) return;
  var timer = null;
  var original = list.innerHTML;

  function render(options) {
    list.textContent = "";
    if (options.length === 0) {
      var empty = document.createElement("li");
      empty.className = "switcher-empty";
      empty.textContent = "No organization matches.";
      list.appendChild(empty);
      return;
    }
    options.forEach(function (option) {
      var item = document.createElement("li");
      var button = document.createElement("button");
      button.type = "submit";
      button.name = "org_id";
      button.value = option.id;
      var name = document.createElement("span");
      name.className = "switcher-name";
      name.textContent = option.name;
      var tag = document.createElement("span");
      tag.className = "tag";
      tag.textContent = option.kind;
      button.appendChild(name);
      button.appendChild(document.createTextNode(" "));
      button.appendChild(tag);
      item.appendChild(button);
      list.appendChild(item);
    });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    var query = input.value.trim();
    if (query === "") {
      list.innerHTML = original;
      return;
    }
    timer = setTimeout(function () {
      fetch("/switch/options?q=" + encodeURIComponent(query), { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : []; })
        .then(render)
        .catch(function () { /* keep the current list */ });
    }, 150);
  });
})();
