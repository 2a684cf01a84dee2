// Live chat: the conversation ([data-chat], end user and staff) and the staff console's live list
// ([data-chat-console]). The pages work without this file except the chat itself: it only adds the socket.
(function () {
  "use strict";

  function socketUrl(path) {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    return scheme + location.host + path;
  }

  // Reconnects with a growing pause (1 s .. 15 s); `onOpen` runs on every (re)connection.
  function keepOpen(path, onOpen, onFrame) {
    var pause = 1000;
    var socket = null;
    function open() {
      socket = new WebSocket(socketUrl(path));
      socket.onopen = function () { pause = 1000; onOpen(socket); };
      socket.onmessage = function (event) {
        var frame;
        try { frame = JSON.parse(event.data); } catch (e) { return; }
        onFrame(frame, socket);
      };
      socket.onclose = function () {
        setTimeout(open, pause);
        pause = Math.min(pause * 2, 15000);
      };
    }
    open();
    return { send: function (frame) { if (socket && socket.readyState === 1) { socket.send(JSON.stringify(frame)); return true; } return false; } };
  }

  function conversation(root) {
    var log = root.querySelector("[data-chat-log]");
    var typing = root.querySelector("[data-chat-typing]");
    var status = root.querySelector("[data-chat-status]");
    var compose = root.querySelector("[data-chat-compose]");
    var text = root.querySelector("[data-chat-text]");
    var endButton = root.querySelector("[data-chat-end]");
    var me = root.getAttribute("data-me");
    var lastSeq = 0;
    Array.prototype.forEach.call(log.querySelectorAll("[data-seq]"), function (li) {
      lastSeq = Math.max(lastSeq, parseInt(li.getAttribute("data-seq"), 10) || 0);
    });
    var typingTimer = null;

    function add(frame) {
      if (frame.seq <= lastSeq) { return; }
      lastSeq = frame.seq;
      var li = document.createElement("li");
      li.className = "chat-message chat-" + frame.author;
      li.setAttribute("data-seq", frame.seq);
      var author = document.createElement("span");
      author.className = "chat-author";
      author.textContent = frame.name;
      var at = document.createElement("time");
      at.className = "chat-time";
      at.textContent = frame.at;
      var body = document.createElement("p");
      body.className = "chat-body";
      body.textContent = frame.body;
      li.appendChild(author);
      li.appendChild(document.createTextNode(" "));
      li.appendChild(at);
      li.appendChild(body);
      log.appendChild(li);
      li.scrollIntoView({ block: "nearest" });
      if (typing) { typing.hidden = true; }
    }

    var link = keepOpen(root.getAttribute("data-ws"), function (socket) {
      socket.send(JSON.stringify({ type: "hello", last_seq: lastSeq }));
    }, function (frame) {
      if (frame.type === "welcome" || frame.type === "status") {
        if (status) { status.textContent = frame.label || (frame.status === "waiting" ? status.textContent : frame.status); }
        if (compose) { compose.hidden = frame.status === "ended"; }
        if (frame.type === "status" && frame.status === "ended" && frame.ticket && status) {
          status.textContent = "Ended. The transcript is on ticket #" + frame.ticket + ".";
        }
      } else if (frame.type === "message") {
        add(frame);
      } else if (frame.type === "typing" && typing) {
        typing.hidden = false;
        clearTimeout(typingTimer);
        typingTimer = setTimeout(function () { typing.hidden = true; }, 4000);
      } else if (frame.type === "error" && status) {
        status.textContent = frame.message;
      }
    });

    if (compose && text) {
      compose.addEventListener("submit", function (event) {
        event.preventDefault();
        var body = text.value.trim();
        if (body && link.send({ type: "message", body: body })) { text.value = ""; }
      });
      text.addEventListener("input", function () { link.send({ type: "typing" }); });
      text.addEventListener("keydown", function (event) {
        if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); compose.requestSubmit(); }
      });
    }
    if (endButton) {
      endButton.addEventListener("click", function () { link.send({ type: "end" }); });
    }
    if (me === "staff" || me === "end_user") { root.classList.add("chat-live"); }
  }

  function consoleList(root) {
    var rows = root.querySelector("[data-chat-rows]");
    var count = root.querySelector("[data-chat-count]");
    var empty = root.querySelector("[data-chat-empty]");
    var table = root.querySelector("[data-chat-table]");
    var tokens = root.querySelector("[data-chat-tokens]");
    var baseTitle = document.title;

    function cell(text) {
      var td = document.createElement("td");
      td.textContent = text;
      return td;
    }

    function row(chat) {
      var tr = document.createElement("tr");
      tr.setAttribute("data-chat-id", chat.id);
      tr.appendChild(cell(chat.client));
      tr.appendChild(cell(chat.requester));
      var waited = cell(chat.waited);
      waited.className = "nowrap";
      tr.appendChild(waited);
      var td = document.createElement("td");
      var form = document.createElement("form");
      form.method = "post";
      form.action = "/chat/" + encodeURIComponent(chat.id) + "/accept";
      form.className = "inline-form";
      if (tokens) { form.appendChild(tokens.content.cloneNode(true)); }
      var button = document.createElement("button");
      button.type = "submit";
      button.className = "button button-small";
      button.textContent = "Accept";
      // As on the server's rows: whose chat, for screen readers.
      var whose = document.createElement("span");
      whose.className = "sr-only";
      whose.textContent = " the chat of " + chat.requester;
      button.appendChild(whose);
      form.appendChild(button);
      td.appendChild(form);
      tr.appendChild(td);
      return tr;
    }

    keepOpen(root.getAttribute("data-ws"), function () {}, function (frame) {
      if (frame.type !== "queue") { return; }
      var waiting = frame.chats.filter(function (c) { return c.status === "waiting"; });
      rows.textContent = "";
      waiting.forEach(function (chat) { rows.appendChild(row(chat)); });
      count.textContent = String(frame.waiting);
      empty.hidden = waiting.length > 0;
      table.hidden = waiting.length === 0;
      // A sound-free notice: the count in the tab's title, and the badge highlighted.
      document.title = frame.waiting > 0 ? "(" + frame.waiting + ") " + baseTitle : baseTitle;
      count.classList.toggle("chat-count-new", frame.waiting > 0);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-chat]"), conversation);
    Array.prototype.forEach.call(document.querySelectorAll("[data-chat-console]"), consoleList);
  });
})();
