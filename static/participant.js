/* Small enhancements of the participant's pages. Every page works without this script:
   - a "listen" button reads the question, or the explanation, aloud with the phone's own voice;
   - on a workshop's results page, the phone learns when the after round starts;
   - on the results page, "Share…" opens the phone's share sheet (Zalo, Facebook…). */
(function () {
  "use strict";

  var lang = document.documentElement.lang || "vi";

  function words(root) {
    var parts = root.querySelectorAll(".scenario, .prompt, label, .verdict, .explanation p");
    var text = [];
    for (var i = 0; i < parts.length; i += 1) {
      text.push(parts[i].textContent.replace(/\s+/g, " ").trim());
    }
    return text.join(". ");
  }

  function voiceFor(synth) {
    var voices = synth.getVoices();
    for (var i = 0; i < voices.length; i += 1) {
      if (voices[i].lang.toLowerCase().indexOf(lang) === 0) {
        return voices[i];
      }
    }
    return null;
  }

  function addListen(root, label, stopLabel) {
    var synth = window.speechSynthesis;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button listen";
    button.textContent = label;
    button.setAttribute("aria-pressed", "false");
    function done() {
      button.textContent = label;
      button.setAttribute("aria-pressed", "false");
    }
    button.addEventListener("click", function () {
      if (synth.speaking) {
        synth.cancel();
        done();
        return;
      }
      var said = new window.SpeechSynthesisUtterance(words(root));
      said.lang = lang === "vi" ? "vi-VN" : lang;
      said.voice = voiceFor(synth);
      said.rate = 0.9;
      said.onend = done;
      said.onerror = done;
      button.textContent = stopLabel;
      button.setAttribute("aria-pressed", "true");
      synth.speak(said);
    });
    root.insertBefore(button, root.firstChild);
  }

  /* Run on the page as loaded, and again on each page quiz.js puts in place without a load. */
  function enhance() {
    var listen = document.querySelectorAll("[data-listen]");
    if (listen.length && "speechSynthesis" in window && window.SpeechSynthesisUtterance) {
      for (var i = 0; i < listen.length; i += 1) {
        addListen(listen[i], listen[i].getAttribute("data-listen"),
          listen[i].getAttribute("data-listen-stop"));
      }
      window.addEventListener("pagehide", function () { window.speechSynthesis.cancel(); });
    }

    var after = document.getElementById("after-round");
    if (after && after.hidden && window.fetch) {
      var checks = 0;
      var check = function () {
        if (document.hidden) {
          return later();
        }
        window.fetch(after.getAttribute("data-watch"), { credentials: "same-origin", cache: "no-store" })
          .then(function (r) { return r.ok ? r.json() : null; })
          .then(function (state) {
            if (state && state.open) {
              after.hidden = false;
              after.querySelector("button").focus();
            } else if (state) {
              later();
            }
          }, later);
      };
      var later = function () {
        checks += 1;
        if (checks < 360) {
          window.setTimeout(check, 10000);
        }
      };
      later();
    }

    var share = document.querySelector("[data-share-url]");
    if (share && navigator.share) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button button-primary";
      button.textContent = share.getAttribute("data-share-label");
      button.addEventListener("click", function () {
        navigator.share({
          title: share.getAttribute("data-share-title"),
          url: share.getAttribute("data-share-url")
        }).catch(function () {});
      });
      share.insertBefore(button, share.firstChild);
    }
  }

  enhance();
  document.addEventListener("quiz:page", enhance);
}());
