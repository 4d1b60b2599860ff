// Note review, progressive enhancement (the page works without it):
// selecting a sentence lights up the messages it came from, and a message the sentences that cite it;
// keys: a approve, e focus the editor, j / k next / previous draft; "Copy for CalSAWS Journal".
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var sentences = Array.prototype.slice.call(document.querySelectorAll(".sentences li"));
    var messages = Array.prototype.slice.call(document.querySelectorAll(".sources li"));
    function clear() {
      sentences.concat(messages).forEach(function (el) { el.classList.remove("lit"); });
    }
    sentences.forEach(function (sentence) {
      var light = function () {
        clear();
        sentence.classList.add("lit");
        (sentence.dataset.sources || "").split(" ").forEach(function (id) {
          var message = document.getElementById("msg-" + id);
          if (message) { message.classList.add("lit"); }
        });
      };
      sentence.addEventListener("focus", light);
      sentence.addEventListener("click", light);
    });
    messages.forEach(function (message) {
      var light = function () {
        clear();
        message.classList.add("lit");
        sentences.forEach(function (sentence) {
          if ((sentence.dataset.sources || "").split(" ").indexOf(message.dataset.message) >= 0) {
            sentence.classList.add("lit");
          }
        });
      };
      message.addEventListener("focus", light);
      message.addEventListener("click", light);
    });
    var copy = document.getElementById("copy-journal");
    if (copy) {
      copy.addEventListener("click", function () {
        var text = document.getElementById(copy.dataset.copy).value;
        navigator.clipboard.writeText(text).then(function () {
          document.getElementById("copied").textContent = "Copied.";
        });
      });
    }
    document.addEventListener("keydown", function (event) {
      if (event.ctrlKey || event.metaKey || event.altKey) { return; }
      var typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName);
      if (typing) { return; }
      var go = function (id) { var link = document.getElementById(id); if (link) { window.location = link.href; } };
      if (event.key === "a" && document.getElementById("approve-form")) {
        event.preventDefault();
        document.getElementById("approve-form").requestSubmit();
      } else if (event.key === "e" && document.getElementById("body")) {
        event.preventDefault();
        document.getElementById("body").focus();
      } else if (event.key === "j") { go("next"); }
      else if (event.key === "k") { go("previous"); }
    });
  });
})();
