/* Phones in a facilitator-led room follow the facilitator without a tap: ask every second or
   so where the room is (a few bytes, no cookie), and load the room page again when it moved.
   Without JavaScript the Continue button on the page does the same. */
(function () {
  "use strict";

  var me = document.currentScript;
  if (!me || !window.fetch) {
    return;
  }
  var state = me.getAttribute("data-room-state");
  var stateUrl = me.getAttribute("data-room-state-url");
  var roomUrl = me.getAttribute("data-room-url");
  var failures = 0;
  var timer = null;
  var leaving = false;

  function schedule() {
    /* 0.7 to 1.3 s, different on every phone, so 250 phones do not ask in the same instant;
       after a failure wait longer, up to half a minute, so a dropped Wi-Fi is not hammered. */
    var delay = (700 + Math.random() * 600) * Math.min(Math.pow(2, failures), 24);
    timer = window.setTimeout(poll, delay);
  }

  function go() {
    leaving = true;
    window.location.replace(roomUrl);
  }

  function poll() {
    timer = null;
    if (leaving) {
      return;
    }
    fetch(stateUrl, { credentials: "omit", cache: "no-cache", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (data) {
        failures = 0;
        if (data.state && data.state !== state) {
          go();
        }
      })
      .catch(function () {
        failures += 1;
      })
      .then(function () {
        if (!leaving) {
          schedule();
        }
      });
  }

  /* A phone that wakes up or comes back to the tab asks at once. */
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) {
      if (timer !== null) {
        window.clearTimeout(timer);
      }
      poll();
    }
  });
  /* Sending an answer is a page load of its own: stop following while it goes. */
  var forms = document.querySelectorAll("form");
  for (var i = 0; i < forms.length; i += 1) {
    forms[i].addEventListener("submit", function () {
      leaving = true;
    });
  }

  schedule();
}());
