/* The facilitator's projector and remote: keep the joined and answered counts live, follow a
   step taken on another device (the page is drawn again when the room moves), and on the
   projector let → , Space or a presenter's clicker (Page Down) take the next step. Without
   JavaScript every button still works; the page just does not update by itself. */
(function () {
  "use strict";

  var live = document.querySelector("[data-live-url]");
  if (live && window.fetch) {
    var url = live.getAttribute("data-live-url");
    var state = live.getAttribute("data-room-state");
    var seconds = parseFloat(live.getAttribute("data-live-seconds")) || 1.5;
    var failures = 0;

    var put = function (selector, value) {
      var found = document.querySelectorAll(selector);
      for (var i = 0; i < found.length; i += 1) {
        if (found[i].textContent !== String(value)) {
          found[i].textContent = String(value);
        }
      }
    };

    var poll = function () {
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("HTTP " + response.status);
          }
          return response.json();
        })
        .then(function (data) {
          failures = 0;
          if (data.state !== state) {
            window.location.reload();
            return;
          }
          put("[data-live-joined]", data.joined);
          put("[data-live-answered]", data.answered);
        })
        .catch(function () {
          failures += 1;
        })
        .then(function () {
          window.setTimeout(poll, seconds * 1000 * Math.min(Math.pow(2, failures), 16));
        });
    };
    window.setTimeout(poll, seconds * 1000);
  }

  var sent = false;
  document.addEventListener("submit", function (event) {
    /* One step per press, even if the key repeats before the page changes. */
    if (sent) {
      event.preventDefault();
    }
    sent = true;
  });

  if (document.body.classList.contains("room-screen")) {
    document.addEventListener("keydown", function (event) {
      if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) {
        return;
      }
      if (event.key !== "ArrowRight" && event.key !== " " && event.key !== "PageDown") {
        return;
      }
      var tag = (event.target && event.target.tagName) || "";
      if (tag === "BUTTON" || tag === "A" || tag === "INPUT") {
        return;
      }
      var form = document.querySelector("form[data-next-step]");
      if (form && !sent) {
        event.preventDefault();
        sent = true;
        form.submit();
      }
    });
  }
}());
