// Optional comforts; everything works without them: a copy button for the citation, the arrow
// keys to turn pages in the viewer, and zooming the page without loading it again.
(function () {
  "use strict";
  var cite = document.getElementById("citation");
  if (cite && navigator.clipboard) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy";
    button.textContent = cite.dataset.copy;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(cite.value).then(function () { button.textContent = cite.dataset.copied; });
    });
    cite.insertAdjacentElement("afterend", button);
  }

  function inField(element) {
    if (!element || element === document.body) { return false; }
    var tag = element.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || element.isContentEditable;
  }

  // ←/→ turn the page wherever the focus is, except while typing in a field
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey || inField(event.target)) {
      return;
    }
    var rel = event.key === "ArrowLeft" ? "prev" : event.key === "ArrowRight" ? "next" : null;
    var link = rel && document.querySelector(".viewer a[rel=" + rel + "]");
    if (link) {
      event.preventDefault();
      window.location.href = link.href;
    }
  });

  // zoom in place: the frame's width changes, the address keeps the zoom (the links still work
  // without JavaScript, loading the page at the zoom asked for)
  var frame = document.querySelector(".viewer .frame");
  var zooms = document.querySelectorAll(".viewer .zoom a[data-zoom]");
  Array.prototype.forEach.call(zooms, function (link) {
    link.addEventListener("click", function (event) {
      if (!frame || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) { return; }
      event.preventDefault();
      frame.className = frame.className.replace(/\bzoom-\d+\b/, "zoom-" + link.dataset.zoom);
      Array.prototype.forEach.call(zooms, function (other) { other.removeAttribute("aria-current"); });
      link.setAttribute("aria-current", "true");
      if (window.history && history.replaceState) { history.replaceState(null, "", link.href); }
      // the page's other links keep the zoom too
      Array.prototype.forEach.call(document.querySelectorAll(".viewer .turn a, .viewer .thumbs a"), function (other) {
        var url = new URL(other.href, window.location.href);
        if (link.dataset.zoom === "100") { url.searchParams.delete("zoom"); } else { url.searchParams.set("zoom", link.dataset.zoom); }
        other.href = url.pathname + url.search + url.hash;
      });
      var kept = document.querySelector(".viewer .goto input[name=zoom]");
      if (kept) { kept.value = link.dataset.zoom; }
      // and so does the link to share (its letters shown as letters, as the server writes it)
      var share = document.getElementById("share");
      if (share && share.value) {
        var shared = new URL(share.value);
        if (link.dataset.zoom === "100") { shared.searchParams.delete("zoom"); } else { shared.searchParams.set("zoom", link.dataset.zoom); }
        share.value = shared.href.replace(/(?:%[89A-F][0-9A-F])+/gi, function (bytes) {
          try { return decodeURIComponent(bytes); } catch (error) { return bytes; }
        });
      }
    });
  });
})();
