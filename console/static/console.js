// Progressive enhancement only: every page works without this file.
// 1. The segment count of a text while it is typed (GSM-7: 160, or 153 a part; otherwise UCS-2: 70, or 67).
// 2. "/" focuses the caseload search; the conversation opens scrolled to its newest (or chosen) message.
(function () {
  "use strict";
  var GSM = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
  var GSM_EXT = "^{}\\[~]|€";
  function segments(text) {
    var units = 0, gsm = true;
    for (var ch of text) {
      if (GSM.indexOf(ch) >= 0) { units += 1; }
      else if (GSM_EXT.indexOf(ch) >= 0) { units += 2; }
      else { gsm = false; break; }
    }
    if (!gsm) {
      var length = 0;
      for (var c of text) { length += c.codePointAt(0) > 0xffff ? 2 : 1; }
      return { chars: length, parts: length <= 70 ? 1 : Math.ceil(length / 67), unicode: true };
    }
    return { chars: units, parts: units <= 160 ? 1 : Math.ceil(units / 153), unicode: false };
  }
  document.addEventListener("DOMContentLoaded", function () {
    var body = document.getElementById("body");
    var out = document.getElementById("segments");
    if (body && out) {
      var base = out.textContent;
      var update = function () {
        if (!body.value) { out.textContent = base; return; }
        var s = segments(body.value);
        out.textContent = s.chars + " characters, " + s.parts + (s.parts === 1 ? " text message" : " text messages") +
          (s.unicode ? " (special characters make each part shorter)" : "") + ".";
      };
      body.addEventListener("input", update);
      update();
    }
    var transcript = document.querySelector(".transcript");
    if (transcript) {
      var anchor = transcript.querySelector(".anchor");
      if (anchor) { transcript.scrollTop = anchor.offsetTop - transcript.offsetTop - 40; }
      else { transcript.scrollTop = transcript.scrollHeight; }
    }
    document.addEventListener("keydown", function (event) {
      var search = document.getElementById("q");
      var typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName);
      if (event.key === "/" && search && !typing) { event.preventDefault(); search.focus(); }
    });
  });
})();
