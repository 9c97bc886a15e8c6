/* Live results for facilitators: fetch the numbers every few seconds and put the new tables
   and charts in place. Without JavaScript the page still works, with its Refresh link. */
(function () {
  "use strict";

  var bar = document.querySelector("[data-live-url]");
  if (!bar || !window.fetch) {
    return;
  }
  var url = bar.getAttribute("data-live-url");
  var seconds = parseInt(bar.getAttribute("data-live-seconds"), 10) || 5;
  var status = bar.querySelector("[data-live-status]");
  var failures = 0;
  var timer = null;

  function say(name) {
    if (status) {
      status.textContent = status.getAttribute("data-text-" + name) || "";
    }
  }

  function apply(data) {
    var fragments = data.fragments || {};
    var targets = document.querySelectorAll("[data-fragment]");
    for (var i = 0; i < targets.length; i += 1) {
      var name = targets[i].getAttribute("data-fragment");
      if (Object.prototype.hasOwnProperty.call(fragments, name) &&
          targets[i].innerHTML !== fragments[name]) {
        targets[i].innerHTML = fragments[name];
      }
    }
  }

  var TIMEOUT_MS = 10000;
  var busy = false;

  function schedule() {
    /* Wait longer after each failure, up to a minute, so a dropped Wi-Fi is not hammered. */
    var delay = seconds * 1000 * Math.min(Math.pow(2, failures), 12);
    timer = window.setTimeout(update, delay);
  }

  function fetchWithTimeout() {
    /* A request the network never answers must not stop the updates for good. */
    var controller = window.AbortController ? new AbortController() : null;
    var cancel = controller && window.setTimeout(function () { controller.abort(); }, TIMEOUT_MS);
    var options = { credentials: "same-origin", headers: { "Accept": "application/json" } };
    if (controller) {
      options.signal = controller.signal;
    }
    return fetch(url, options).then(function (response) {
      window.clearTimeout(cancel);
      if (!response.ok) {
        throw new Error("HTTP " + response.status);
      }
      return response.json();
    }, function (error) {
      window.clearTimeout(cancel);
      throw error;
    });
  }

  /* One loop only: a tick does nothing while a request is out or another tick is waiting. */
  function update() {
    timer = null;
    if (busy || document.hidden) {
      return;
    }
    busy = true;
    fetchWithTimeout()
      .then(function (data) {
        failures = 0;
        apply(data);
        say("live");
      })
      .catch(function () {
        failures += 1;
        say("failed");
      })
      .then(function () {
        busy = false;
        if (timer === null && !document.hidden) {
          schedule();
        }
      });
  }

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden && timer === null && !busy) {
      update();
    }
  });

  /* On the projector the arrow keys move between slides, like the Previous and Next links. */
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) {
      return;
    }
    var rel = { ArrowLeft: "prev", ArrowRight: "next" }[event.key];
    var link = rel && document.querySelector(".slide-nav a[rel=" + rel + "]");
    if (link) {
      window.location.href = link.href;
    }
  });

  say("live");
  schedule();
}());
