/* Quiz steps in one round trip on a slow network; the page works the same without it.

   Forms marked data-swap are sent in the background; the server answers such a request with
   the next page itself instead of a redirect (one round trip instead of two), and this script
   puts that page in place and gives the address bar the page's own address, so a reload
   shows it again and never sends the form twice. When the answer comes with the following
   page too (the next question after the feedback), "Next question" shows it at once. The
   tapped button says "Sending…" and cannot be tapped twice. Whatever this script does not
   recognise, it leaves to the browser. */
(function () {
  "use strict";

  if (window.tipquizSwap || !window.fetch || !window.DOMParser || !window.history.pushState) {
    return;
  }
  window.tipquizSwap = true;

  var MARK = "<!--swap-next-->";
  var stored = null; /* {url, html} of the page that comes after this one */
  var shown = window.location.pathname + window.location.search;

  function quizScript(src) {
    return /\/static\/quiz(\.[0-9a-f]+)?\.js$/.test(src);
  }

  /* True when the page can simply be put in place: no stylesheet or script this page has not
     loaded already (participant.js enhances each page it is told of with "quiz:page"). */
  function canSwap(doc) {
    var links = doc.querySelectorAll("link[rel=stylesheet]");
    for (var i = 0; i < links.length; i += 1) {
      if (!document.querySelector('link[rel=stylesheet][href="' + links[i].getAttribute("href") + '"]')) {
        return false;
      }
    }
    var scripts = doc.querySelectorAll("script");
    for (var j = 0; j < scripts.length; j += 1) {
      var src = scripts[j].getAttribute("src") || "";
      if (!quizScript(src) && !document.querySelector('script[src="' + src + '"]')) {
        return false;
      }
    }
    return true;
  }

  function show(html, url, push) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    if (!canSwap(doc)) {
      window.location.assign(url);
      return;
    }
    document.title = doc.title;
    document.documentElement.lang = doc.documentElement.lang;
    document.body.replaceWith(document.adoptNode(doc.body));
    if (push) {
      window.history.pushState({ swapped: true }, "", url);
    } else {
      window.history.replaceState({ swapped: true }, "", url);
    }
    shown = window.location.pathname + window.location.search;
    var hash = url.indexOf("#") >= 0 ? url.slice(url.indexOf("#") + 1) : "";
    var target = hash && document.getElementById(hash);
    if (target) {
      target.scrollIntoView();
    } else {
      window.scrollTo(0, 0);
    }
    var heading = document.querySelector("main h1, main legend, main h2");
    if (heading) {
      heading.setAttribute("tabindex", "-1");
      heading.focus({ preventScroll: true });
    }
    document.dispatchEvent(new CustomEvent("quiz:page"));
    if (window.performance && performance.mark) {
      performance.mark("page-swapped");
    }
  }

  function receive(response, push) {
    var url = response.headers.get("X-Swap-Location") || response.url;
    var next = response.headers.get("X-Swap-Next");
    return response.text().then(function (text) {
      var cut = next ? text.indexOf(MARK) : -1;
      stored = cut >= 0 ? { url: next, html: text.slice(cut + MARK.length) } : null;
      show(cut >= 0 ? text.slice(0, cut) : text, url, push);
    });
  }

  function samePath(a, b) {
    return a.split("#")[0] === b.split("#")[0];
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || !form.hasAttribute("data-swap")) {
      return;
    }
    event.preventDefault();
    if (form.getAttribute("data-sending-now")) {
      return;
    }
    form.setAttribute("data-sending-now", "1");
    var button = event.submitter || form.querySelector("button[type=submit]");
    if (button) {
      button.disabled = true;
      button.textContent = form.getAttribute("data-sending") || button.textContent;
    }
    var action = new URL(form.action, window.location.href).href;
    fetch(action, {
      method: "POST",
      body: new URLSearchParams(new FormData(form)),
      headers: { "X-Swap": "1" },
      credentials: "same-origin"
    }).then(function (response) {
      var target = response.headers.get("X-Swap-Location") || response.url;
      return receive(response, !samePath(target, window.location.href));
    }).catch(function () {
      /* No answer or a broken one: let the browser send the form itself (the server stores
         an answer once, however often it arrives). */
      form.removeAttribute("data-swap");
      form.submit();
    });
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[href]");
    if (!stored || !link || event.defaultPrevented || event.button !== 0 ||
        event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
      return;
    }
    var href = new URL(link.getAttribute("href"), window.location.href);
    if (href.pathname + href.search !== stored.url) {
      return;
    }
    event.preventDefault();
    var page = stored;
    stored = null;
    show(page.html, page.url, true);
  });

  /* Back and forward between pages this script put in place: load them for real (a jump to
     an anchor of the same page stays a jump). */
  window.addEventListener("popstate", function () {
    if (window.location.pathname + window.location.search !== shown) {
      window.location.reload();
    }
  });
})();
